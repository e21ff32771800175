import type { Logger } from '@open-bank/runtime';
import type { AccountCreationConfirmed, Codec, Topology } from '@open-bank/topology';
import type { Kafka } from 'kafkajs';
import { RebuildTimeoutError } from './errors.ts';

export interface RebuildOptions {
  kafka: Kafka;
  codec: Codec;
  topology: Topology;
  logger: Logger;
  /** A group id of its own: nothing is committed, it only exists while reading. */
  groupId: string;
  /** Gets the records of each fetched batch, in offset order, up to the end offsets and none beyond. */
  onRecords: (records: AccountCreationConfirmed[]) => void;
  timeoutMs?: number;
}

/**
 * Reads account_creation_confirmed from the beginning up to the end offsets it has when this starts, so a
 * restarted generator knows every account it knew before. Reads committed records only, like the loop.
 * Returns how many records it read.
 */
export async function readConfirmedAccounts(options: RebuildOptions): Promise<number> {
  const { kafka, codec, topology, logger, groupId, onRecords, timeoutMs = 120_000 } = options;
  const topic = topology.accountCreationConfirmed.name;

  const admin = kafka.admin();
  await admin.connect();
  let ends: Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  /** Per partition, the last offset to read; a partition leaves the map once read up to it. */
  const lastToRead = new Map<number, bigint>();
  for (const p of ends) if (BigInt(p.high) > BigInt(p.low)) lastToRead.set(p.partition, BigInt(p.high) - 1n);
  if (lastToRead.size === 0) return 0;

  let read = 0;
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const reachedUpTo = (partition: number, offset: string | null | undefined) => {
    const last = lastToRead.get(partition);
    if (last === undefined || offset === null || offset === undefined) return;
    if (BigInt(offset) >= last) lastToRead.delete(partition);
    if (lastToRead.size === 0) settle?.resolve();
  };

  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  // Batches of only control records or aborted messages never reach eachBatch, yet move the position; the
  // end-of-batch event reports them, so a topic ending in a transaction marker is still read to its end.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
    reachedUpTo(payload.partition, payload.lastOffset),
  );
  consumer.on(consumer.events.CRASH, ({ payload }) => settle?.reject(payload.error));

  const timer = setTimeout(() => {
    const behind = [...lastToRead.entries()].map(([p, o]) => `partition ${p} to offset ${o}`).join(', ');
    settle?.reject(new RebuildTimeoutError(topic, timeoutMs, behind));
  }, timeoutMs);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const last = lastToRead.get(batch.partition);
        if (last === undefined) return;
        const messages = batch.messages.filter((m) => BigInt(m.offset) <= last);
        const decoded = await codec.decodeAll(
          'accountCreationConfirmed',
          messages.map((m) => m.value),
        );
        const records: AccountCreationConfirmed[] = [];
        for (const [i, d] of decoded.entries()) {
          if (d.ok) records.push(d.value);
          else if (d.error.retryable) throw d.error;
          // The loop dead-letters these when it meets them; here they are only skipped.
          else
            logger.warn(
              { offset: messages[i]?.offset, err: d.error.message },
              'skipping undecodable account',
            );
        }
        read += records.length;
        onRecords(records);
      },
    });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return read;
}
