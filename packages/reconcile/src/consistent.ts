import type { Admin } from 'kafkajs';
import type { TopicRanges } from './read-topics.ts';

/** Per topic and partition, the next offset a consumer will read (-1: none committed). */
export type Positions = Map<string, Map<number, bigint>>;

export interface Watched {
  /** What is waited for, as the report names it: a consumer group, or balancedb's consumed table. */
  readonly name: string;
  readonly topics: readonly string[];
  readonly positions: Positions;
}

/**
 * What is not consumed yet: each partition whose consumer is more than one offset short of the end. One
 * short is allowed because a transactional producer's last offset is a commit marker no consumer ever reads;
 * should it be a real message after all, the reconciliation finds it unanswered or missing from transactiondb,
 * so the allowance can hide nothing.
 */
export function lagging(ends: TopicRanges, watched: readonly Watched[]): string[] {
  const out: string[] = [];
  for (const w of watched) {
    for (const topic of w.topics) {
      for (const [partition, range] of ends.get(topic) ?? []) {
        if (range.high <= range.low) continue;
        const at = w.positions.get(topic)?.get(partition) ?? -1n;
        const from = at < range.low ? range.low : at;
        if (range.high - from > 1n)
          out.push(`${w.name} on ${topic} ${partition}: ${range.high - from} behind`);
      }
    }
  }
  return out;
}

/** A fingerprint of ends and positions: waiting ends when two polls a moment apart see the same one. */
export function snapshotKey(ends: TopicRanges, watched: readonly Watched[], outbox: number): string {
  const parts: string[] = [`outbox=${outbox}`];
  for (const [topic, ps] of ends) for (const [p, r] of ps) parts.push(`${topic}/${p}=${r.high}`);
  for (const w of watched)
    for (const [topic, ps] of w.positions)
      for (const [p, o] of ps) parts.push(`${w.name}:${topic}/${p}=${o}`);
  return parts.sort().join(',');
}

/** The committed offsets of a consumer group on some topics. */
export async function groupPositions(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Positions> {
  const existing = new Set(await admin.listTopics());
  const wanted = topics.filter((t) => existing.has(t));
  const out: Positions = new Map();
  if (wanted.length === 0) return out;
  const answer = await admin.fetchOffsets({ groupId, topics: [...wanted] });
  for (const t of answer) {
    const parts = new Map<number, bigint>();
    for (const p of t.partitions) parts.set(p.partition, BigInt(p.offset));
    out.set(t.topic, parts);
  }
  return out;
}
