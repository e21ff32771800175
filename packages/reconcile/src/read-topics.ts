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
  const subscribed = topics.filter((t) => [...remaining.keys()].some((k) => k.startsWith(`${t}/`)));

  const consumer = kafka.consumer({
    groupId: `reconcile-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
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
      // A partition whose tail is a transaction marker may never deliver a batch reaching its end: once
      // fetches come back empty several times in a row, everything committed has been seen.
      let joined = false;
      let idle = 0;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      consumer.on(consumer.events.FETCH, (e) => {
        if (!joined) return;
        idle = e.payload.numberOfBatches === 0 ? idle + 1 : 0;
        if (idle >= 10) done();
      });
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch, heartbeat }) => {
            const key = `${batch.topic}/${batch.partition}`;
            const end = remaining.get(key);
            if (end === undefined) return;
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
