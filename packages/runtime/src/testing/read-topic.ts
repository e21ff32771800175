import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export type TopicMessage = KafkaMessage & { readonly partition: number };

/**
 * Every message of a topic from the start to the end offsets it has now, all partitions, in offset order
 * per partition. Read committed by default, as the bank's consumers read: aborted transactions stay unseen.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: { readCommitted?: boolean; timeoutMs?: number } = {},
): Promise<TopicMessage[]> {
  const { readCommitted = true, timeoutMs = 60_000 } = options;
  const admin = kafka.admin();
  await admin.connect();
  // With read committed, the last stable offset is where reading can stop; high watermarks may sit past
  // transaction markers that are never delivered as messages, so both ends are compared as "reached".
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]),
  );
  const byPartition = new Map<number, TopicMessage[]>();
  if (remaining.size === 0) return [];

  const consumer = kafka.consumer({
    groupId: `read-topic-${randomUUID()}`,
    readUncommitted: !readCommitted,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`readTopic(${topic}) timed out; partitions left: ${[...remaining.keys()].join(',')}`),
          ),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      // A partition whose tail is a transaction marker never delivers a message at its end offset. Once
      // fetches come back empty a few times in a row, everything committed has been seen.
      let joined = false;
      let idleFetches = 0;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      consumer.on(consumer.events.FETCH, (e) => {
        if (!joined) return;
        idleFetches = e.payload.numberOfBatches === 0 ? idleFetches + 1 : 0;
        if (idleFetches >= 5) done();
      });
      void consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const list = byPartition.get(batch.partition) ?? [];
            byPartition.set(batch.partition, list);
            for (const m of batch.messages) {
              const end = remaining.get(batch.partition);
              if (end !== undefined && BigInt(m.offset) < end)
                list.push({ ...m, partition: batch.partition });
            }
            const end = remaining.get(batch.partition);
            // A batch ends at the last offset fetched; control records (commit markers) are skipped but still
            // move the fetch position, which batch.lastOffset() accounts for.
            if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end)
              remaining.delete(batch.partition);
            if (remaining.size === 0) done();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return [...byPartition.entries()].sort(([a], [b]) => a - b).flatMap(([, ms]) => ms);
}
