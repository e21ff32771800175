// Which broker of a cluster to lose, and when the cluster is whole again: read from the cluster's metadata
// (kafkajs admin), so the broker-loss scenario hits the node that matters most to the bank.
import { setTimeout as sleep } from 'node:timers/promises';
import { GROUP_ID as HANDLER_GROUP_ID, RELAY_TRANSACTIONAL_ID } from '@open-bank/command-handler';
import type { Topology } from '@open-bank/topology';
import type { Kafka } from 'kafkajs';

const TRANSACTION_STATE = '__transaction_state';
const CONSUMER_OFFSETS = '__consumer_offsets';

/** Java's String.hashCode, as Kafka uses it to place a transactional id or a group on its partition. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The internal-topic partition whose leader coordinates `id` (Kafka's Utils.abs(hashCode) % partitions). */
export function coordinatorPartition(id: string, partitions: number): number {
  const h = javaHashCode(id);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

export interface PartitionMeta {
  readonly partitionId: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface TopicMeta {
  readonly name: string;
  readonly partitions: readonly PartitionMeta[];
}

export interface BrokerRoles {
  /** Partitions of the command, answer and balance_changed topics each node leads. */
  readonly leads: ReadonlyMap<number, number>;
  /** The transaction coordinator of the handler's relay, if its partition has a leader. */
  readonly relayCoordinator: number | undefined;
  /** The coordinator of the handler's consumer group. */
  readonly groupCoordinator: number | undefined;
}

function leaderOf(topics: readonly TopicMeta[], topic: string, id: string): number | undefined {
  const t = topics.find((x) => x.name === topic);
  if (!t || t.partitions.length === 0) return undefined;
  const p = t.partitions.find((x) => x.partitionId === coordinatorPartition(id, t.partitions.length));
  return p && p.leader >= 0 ? p.leader : undefined;
}

/** Pure: what each node does for the bank, from the topics' metadata. */
export function brokerRoles(topics: readonly TopicMeta[], bankTopics: readonly string[]): BrokerRoles {
  const leads = new Map<number, number>();
  for (const t of topics) {
    if (!bankTopics.includes(t.name)) continue;
    for (const p of t.partitions) if (p.leader >= 0) leads.set(p.leader, (leads.get(p.leader) ?? 0) + 1);
  }
  return {
    leads,
    relayCoordinator: leaderOf(topics, TRANSACTION_STATE, RELAY_TRANSACTIONAL_ID),
    groupCoordinator: leaderOf(topics, CONSUMER_OFFSETS, HANDLER_GROUP_ID),
  };
}

/**
 * The node to lose: the relay's transaction coordinator (losing it moves the coordinator and the leaders
 * it holds alike), else the one leading most of the bank's partitions, else `fallback`.
 */
export function pickVictim(roles: BrokerRoles, fallback: number): number {
  if (roles.relayCoordinator !== undefined) return roles.relayCoordinator;
  let best: number | undefined;
  for (const [node, n] of roles.leads)
    if (best === undefined || n > (roles.leads.get(best) ?? 0)) best = node;
  return best ?? fallback;
}

export function describeRoles(node: number, roles: BrokerRoles): string {
  const parts = [`leads ${roles.leads.get(node) ?? 0} bank partitions`];
  if (roles.relayCoordinator === node) parts.push("the relay's transaction coordinator");
  if (roles.groupCoordinator === node) parts.push("the handler group's coordinator");
  return parts.join(', ');
}

/** Partitions whose in-sync replicas are fewer than their replicas. */
export function underReplicated(topics: readonly TopicMeta[]): number {
  let n = 0;
  for (const t of topics) for (const p of t.partitions) if (p.isr.length < p.replicas.length) n++;
  return n;
}

/** The bank's command, answer and event topics, whose leaders matter to an answer's way through. */
export function bankTopicNames(topology: Topology): string[] {
  return [
    topology.confirmAccountCreation.name,
    topology.accountCreationConfirmed.name,
    topology.accountCreationFailed.name,
    topology.confirmMoneyTransfer.name,
    topology.moneyTransferConfirmed.name,
    topology.moneyTransferFailed.name,
    topology.balanceChanged.name,
  ];
}

/** The metadata of `only`, or else of every topic, the internal ones included. */
export async function clusterTopics(kafka: Kafka, only?: readonly string[]): Promise<TopicMeta[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const all = only ?? [...new Set([...(await admin.listTopics()), TRANSACTION_STATE, CONSUMER_OFFSETS])];
    const { topics } = await admin.fetchTopicMetadata({ topics: [...all] });
    return topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionId: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
      })),
    }));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Waits until no partition is under-replicated, at most `timeoutMs`; resolves with the time it was so, or
 * undefined with the count still short.
 */
export async function awaitInSync(
  kafka: Kafka,
  timeoutMs: number,
): Promise<{ at: number | undefined; underReplicated: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    try {
      last = underReplicated(await clusterTopics(kafka));
      if (last === 0) return { at: Date.now(), underReplicated: 0 };
    } catch {
      // metadata not available for a moment: ask again
    }
    if (Date.now() > deadline) return { at: undefined, underReplicated: last };
    await sleep(250);
  }
}
