import type { Schema } from 'avsc';
import { type RecordKind, type Records, schemas } from './schemas.ts';
import { localDateTime } from './time.ts';
import { bytesToUuid } from './uuid.ts';

/** How a topic's message key is chosen (SPEC §3). */
export type KeyRule = 'local-date-time' | 'id' | 'iban';

export interface TopicSpec<K extends RecordKind = RecordKind> {
  /** Default name; KAFKA_<ABBREV>_TOPIC overrides it. */
  readonly defaultName: string;
  readonly abbrev: string;
  readonly partitions: number;
  /** Requested replication; capped at the number of live brokers when created. */
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
  readonly record: K;
  readonly key: KeyRule;
}

function spec<K extends RecordKind>(s: TopicSpec<K>): TopicSpec<K> {
  return s;
}

/**
 * The commands, answers and BalanceChanged events are the bank's history (SPEC §3): kept forever, so the log
 * replays from the start and the reconciliation can read all of it.
 */
export const KEPT_FOREVER: Readonly<Record<string, string>> = { 'retention.ms': '-1' };

export const topicSpecs = {
  heartbeat: spec({
    defaultName: 'heartbeat',
    abbrev: 'HEARTBEAT',
    partitions: 1,
    replicationFactor: 3,
    configs: { 'retention.ms': '900000' },
    record: 'Heartbeat',
    key: 'local-date-time',
  }),
  confirmAccountCreation: spec({
    defaultName: 'confirm_account_creation',
    abbrev: 'CAC',
    partitions: 1,
    replicationFactor: 3,
    configs: KEPT_FOREVER,
    record: 'ConfirmAccountCreation',
    key: 'id',
  }),
  accountCreationConfirmed: spec({
    defaultName: 'account_creation_confirmed',
    abbrev: 'ACC',
    partitions: 1,
    replicationFactor: 3,
    configs: KEPT_FOREVER,
    record: 'AccountCreationConfirmed',
    key: 'id',
  }),
  accountCreationFailed: spec({
    defaultName: 'account_creation_failed',
    abbrev: 'ACF',
    partitions: 1,
    replicationFactor: 3,
    configs: KEPT_FOREVER,
    record: 'AccountCreationFailed',
    key: 'id',
  }),
  confirmMoneyTransfer: spec({
    defaultName: 'confirm_money_transfer',
    abbrev: 'CMT',
    partitions: 9,
    replicationFactor: 3,
    configs: KEPT_FOREVER,
    record: 'ConfirmMoneyTransfer',
    key: 'id',
  }),
  moneyTransferConfirmed: spec({
    defaultName: 'money_transfer_confirmed',
    abbrev: 'MTC',
    partitions: 9,
    replicationFactor: 3,
    configs: KEPT_FOREVER,
    record: 'MoneyTransferConfirmed',
    key: 'id',
  }),
  moneyTransferFailed: spec({
    defaultName: 'money_transfer_failed',
    abbrev: 'MTF',
    partitions: 9,
    replicationFactor: 3,
    configs: KEPT_FOREVER,
    record: 'MoneyTransferFailed',
    key: 'id',
  }),
  balanceChanged: spec({
    defaultName: 'balance_changed',
    abbrev: 'BC',
    partitions: 9,
    replicationFactor: 3,
    configs: KEPT_FOREVER,
    record: 'BalanceChanged',
    key: 'iban',
  }),
} as const;

export type TopicId = keyof typeof topicSpecs;
export const topicIds = Object.keys(topicSpecs) as TopicId[];
export type RecordOf<T extends TopicId> = Records[(typeof topicSpecs)[T]['record']];

/** Dead-letter topics take undecodable messages of a topic, so they never block its partition. */
export const DEAD_LETTER_SUFFIX = '.dlq';

/**
 * Internal topic (the synchronizer leaves names starting with `_` alone) whose only use is as the key under
 * which the command handler's outbox relay records, in each Kafka transaction it commits, the number of the
 * outbox batch it published: Kafka stores consumer offsets only for topics that exist.
 */
export const OUTBOX_POSITION_TOPIC = '_open_bank_outbox_position';
export const DEAD_LETTER_PARTITIONS = 1;
/**
 * A dead letter waits for someone to fix its cause and re-submit it (`pnpm dlq`), however long that takes, and
 * the reconciliation counts it: dead-letter topics keep their records forever too. They stay small.
 */
export const DEAD_LETTER_CONFIGS: Readonly<Record<string, string>> = KEPT_FOREVER;
/** Headers a dead-lettered message carries, naming where it came from and why it was set aside. */
export const DeadLetterHeader = {
  topic: 'dlq.source.topic',
  partition: 'dlq.source.partition',
  offset: 'dlq.source.offset',
  errorCode: 'dlq.error.code',
  error: 'dlq.error.message',
  /**
   * On a record `pnpm dlq resubmit` appends to the dead-letter topic (no value): the offset of the dead letter
   * it re-submitted, so the same dead letter is never re-submitted twice.
   */
  resubmitted: 'dlq.resubmitted',
  /** On the re-submitted message: the dead letter it came from, as `<dead-letter topic>/<partition>/<offset>`. */
  resubmittedFrom: 'dlq.resubmitted.from',
} as const;

export interface ResolvedTopic<T extends TopicId = TopicId> extends TopicSpec {
  readonly id: T;
  readonly name: string;
  /** Registry subject of the value schema: topic-name strategy. */
  readonly subject: string;
  readonly deadLetter: string;
  readonly schema: Schema;
}

export type Topology = { readonly [T in TopicId]: ResolvedTopic<T> };

/** What a cluster holds when it matches the topology: every topic plus its dead-letter topic. */
export interface TopicPlan {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
  /** Subject and schema of the value, absent for dead-letter topics which hold raw bytes. */
  readonly subject?: string;
  readonly schema?: Schema;
}

export function resolveTopology(names: Partial<Record<TopicId, string>> = {}): Topology {
  const out: Partial<Record<TopicId, ResolvedTopic>> = {};
  for (const id of topicIds) {
    const s = topicSpecs[id];
    const name = names[id] ?? s.defaultName;
    out[id] = {
      ...s,
      id,
      name,
      subject: `${name}-value`,
      deadLetter: `${name}${DEAD_LETTER_SUFFIX}`,
      schema: schemas[s.record],
    };
  }
  return out as Topology;
}

export function plannedTopics(topology: Topology): TopicPlan[] {
  return topicIds.flatMap((id) => {
    const t = topology[id];
    return [
      {
        name: t.name,
        partitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configs: t.configs,
        subject: t.subject,
        schema: t.schema,
      },
      {
        name: t.deadLetter,
        partitions: DEAD_LETTER_PARTITIONS,
        replicationFactor: t.replicationFactor,
        configs: DEAD_LETTER_CONFIGS,
      },
    ];
  });
}

/** The message key of a record on a topic, by the topic's key rule. */
export function keyFor<T extends TopicId>(topic: ResolvedTopic<T>, value: RecordOf<T>, now: Date): string {
  switch (topic.key) {
    case 'local-date-time':
      return localDateTime(now);
    case 'id':
      return bytesToUuid((value as { id: Buffer }).id);
    case 'iban':
      return (value as { iban: string }).iban;
  }
}
