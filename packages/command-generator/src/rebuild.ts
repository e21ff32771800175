import { errorCode, type KafkaClient, type Logger } from '@open-bank/runtime';
import type { AccountCreationConfirmed, Codec, Topology } from '@open-bank/topology';
import { RebuildTimeoutError } from './errors.ts';

export interface RebuildOptions {
  kafka: KafkaClient;
  codec: Codec;
  topology: Topology;
  logger: Logger;
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
  const { kafka, codec, topology, logger, onRecords, timeoutMs = 120_000 } = options;
  const topic = topology.accountCreationConfirmed.name;
  let read = 0;
  try {
    await kafka.readToEnd(topic, {
      timeoutMs,
      onMessages: async (_partition, messages) => {
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
  } catch (e) {
    if (errorCode(e) === 'KAFKA_REQUEST_TIMED_OUT')
      throw new RebuildTimeoutError(topic, timeoutMs, e instanceof Error ? e.message : String(e));
    throw e;
  }
  return read;
}
