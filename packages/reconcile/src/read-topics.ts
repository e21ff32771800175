import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { ReadTimeoutError } from './errors.ts';

/** Where a partition starts and ends (the next offset to be written), as captured before reading. */
export interface PartitionRange {
  readonly low: bigint;
  readonly high: bigint;
}
export type TopicRanges = Map<string, Map<number, PartitionRange>>;

/** The offsets of every partition of the topics now. A topic that does not exist has no partitions. */
export async function captureEnds(admin: Admin, topics: readonly string[]): Promise<TopicRanges> {
  const existing = new Set(await admin.listTopics());
  const out: TopicRanges = new Map();
  for (const topic of topics) {
    const parts = new Map<number, PartitionRange>();
    if (existing.has(topic)) {
      for (const p of await admin.fetchTopicOffsets(topic))
        parts.set(p.partition, { low: BigInt(p.low), high: BigInt(p.high) });
    }
    out.set(topic, parts);
  }
  return out;
}

/** How many offsets the ranges span: an upper bound of the messages in them (markers take offsets too). */
export function spanOf(ranges: TopicRanges, topics: readonly string[]): number {
  let n = 0n;
  for (const t of topics) for (const r of ranges.get(t)?.values() ?? []) n += r.high - r.low;
  return Number(n);
}

/** Offsets at a partition's end that may be transaction markers rather than messages. */
const MARKER_ALLOWANCE = 10n;

export type BatchHandler = (
  topic: string,
  partition: number,
  messages: KafkaMessage[],
) => Promise<void> | void;

/**
 * Reads the topics from their start up to the captured ends, read committed (aborted transactions stay
 * unseen, as the bank's consumers read), handing each batch over in offset order per partition. One batch is
 * handled at a time, so memory stays at kafkajs' fetch buffers whatever the topics hold. A consumer group of
 * its own, never committed, leaves no trace.
 */
export async function readTopics(
  kafka: Kafka,
  ranges: TopicRanges,
  topics: readonly string[],
  onBatch: BatchHandler,
  timeoutMs: number,
): Promise<void> {
  const remaining = new Map<string, bigint>();
  for (const topic of topics)
    for (const [partition, r] of ranges.get(topic) ?? [])
      if (r.high > r.low) remaining.set(`${topic}/${partition}`, r.high);
  if (remaining.size === 0) return;
  /** Per partition, the offset after the last one fetched. */
  const seen = new Map<string, bigint>();
  const subscribed = topics.filter((t) => [...remaining.keys()].some((k) => k.startsWith(`${t}/`)));

  const consumer = kafka.consumer({
    groupId: `reconcile-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 8 * 1024 * 1024,
  });
  await consumer.connect();
  try {
    for (const topic of subscribed) await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ReadTimeoutError(
              `reading ${subscribed.join(', ')} did not reach the end offsets in ${timeoutMs / 1000} s; left: ${[...remaining.keys()].slice(0, 10).join(', ')}`,
            ),
          ),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      // A partition whose tail is a transaction marker may never deliver a batch reaching its end. Once
      // fetches have come back empty for a while, a partition read to within a few offsets of its end is done
      // (those are markers). A partition further from its end is never given up on this way: fetches can come
      // back empty on a busy broker while data remains, and stopping early would report findings that are not.
      let joined = false;
      let idle = 0;
      let lastBatchAt = Date.now();
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      consumer.on(consumer.events.FETCH, (e) => {
        if (!joined) return;
        idle = e.payload.numberOfBatches === 0 ? idle + 1 : 0;
        if (idle < 10 || Date.now() - lastBatchAt < 3_000) return;
        for (const [key, end] of remaining) {
          const at = seen.get(key);
          if (at !== undefined && end - at <= MARKER_ALLOWANCE) remaining.delete(key);
        }
        if (remaining.size === 0) done();
      });
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch, heartbeat }) => {
            const key = `${batch.topic}/${batch.partition}`;
            lastBatchAt = Date.now();
            const end = remaining.get(key);
            if (end === undefined) return;
            seen.set(key, BigInt(batch.lastOffset()) + 1n);
            const messages = batch.messages.filter((m) => BigInt(m.offset) < end);
            if (messages.length > 0) await onBatch(batch.topic, batch.partition, messages);
            // Control records (commit markers) are not handed over but move the fetch position, which
            // lastOffset() accounts for.
            if (BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(key);
            if (remaining.size === 0) done();
            await heartbeat();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}
