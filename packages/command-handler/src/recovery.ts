import type { Logger } from '@open-bank/runtime';
import { toTopicMessages } from '@open-bank/runtime';
import { producerDefaults, sendOptions } from '@open-bank/topology';
import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import { toDatabaseError } from './db.ts';
import { RecoveryError } from './errors.ts';
import type { OutputEncoder } from './outputs.ts';
import { type HandledBatch, planRecovery } from './recovery-plan.ts';
import { eventsFromJson } from './stored.ts';

export interface RecoveryDeps {
  readonly kafka: Kafka;
  readonly pool: pg.Pool;
  readonly encoder: OutputEncoder;
  readonly logger: Logger;
  /** Name of the transfer command topic: handled_batch offsets are offsets of it. */
  readonly commandTopic: string;
  readonly groupId: string;
  readonly instance: string;
  readonly transactionalId: string;
}

/** The consumer group whose one committed offset records the highest handled_batch.seq recovery published. */
export function bookkeepingGroupOf(transactionalId: string): string {
  return `${transactionalId}.recovery`;
}

/**
 * Publishes the events of batches this instance committed to balancedb but never published (see
 * recovery-plan.ts), in commit order. Must run before consuming. Returns the ids whose re-delivery must
 * answer without events.
 */
export async function recoverUnpublished(deps: RecoveryDeps): Promise<Set<string>> {
  const { kafka, pool, logger, commandTopic, transactionalId } = deps;
  // Connecting with the instance's transactional id fences a previous run of this instance and aborts its
  // open transaction, so the committed offsets read next are final.
  const producer = kafka.producer({
    ...producerDefaults,
    transactionalId,
    maxInFlightRequests: 1,
    transactionTimeout: 15_000,
  });
  const admin = kafka.admin();
  try {
    await producer.connect();
    await admin.connect();
    const committed = await committedOffsets(admin, deps.groupId, commandTopic);
    const bookkeeping = bookkeepingGroupOf(transactionalId);
    const recoveredUpTo = (await committedOffsets(admin, bookkeeping, commandTopic)).get(0) ?? -1n;

    const batches = await query(
      pool,
      `SELECT seq, src_partition, last_offset, command_ids::text[] AS command_ids
         FROM handled_batch WHERE instance = $1 AND src_topic = $2 ORDER BY seq`,
      [deps.instance, commandTopic],
    );
    const plan = planRecovery(
      batches.map(
        (r): HandledBatch => ({
          seq: r.seq as bigint,
          partition: r.src_partition as number,
          lastOffset: r.last_offset as bigint,
          commandIds: r.command_ids as string[],
        }),
      ),
      committed,
      recoveredUpTo,
    );

    if (plan.publish.length > 0 && plan.publishedUpTo !== null) {
      const rows = await query(
        pool,
        'SELECT id::text AS id, events FROM transfer_command WHERE id = ANY($1::uuid[])',
        [plan.publish],
      );
      const eventsById = new Map(rows.map((r) => [r.id as string, eventsFromJson(r.events)]));
      const now = new Date();
      const messages = plan.publish.flatMap((id) => {
        const events = eventsById.get(id);
        if (!events)
          throw new RecoveryError(`handled_batch names command ${id}, which transfer_command lacks`);
        return events.map((e) => deps.encoder.balanceChanged(e, now));
      });
      const tx = await producer.transaction();
      try {
        await tx.sendBatch({ ...sendOptions, topicMessages: toTopicMessages(messages) });
        await tx.sendOffsets({
          consumerGroupId: bookkeeping,
          topics: [
            { topic: commandTopic, partitions: [{ partition: 0, offset: plan.publishedUpTo.toString() }] },
          ],
        });
        await tx.commit();
      } catch (e) {
        await tx.abort().catch(() => undefined);
        throw e;
      }
      logger.warn(
        {
          commands: plan.publish.length,
          events: messages.length,
          upToSeq: plan.publishedUpTo.toString(),
        },
        'published the events of batches a previous run committed but did not publish',
      );
    }
    if (plan.settled.length > 0) {
      await query(pool, 'DELETE FROM handled_batch WHERE seq = ANY($1::bigint[])', [
        plan.settled.map(String),
      ]);
    }
    return plan.recovered;
  } catch (e) {
    if (e instanceof RecoveryError) throw e;
    throw new RecoveryError(`recovery at start failed: ${e instanceof Error ? e.message : String(e)}`, e);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Deletes handled_batch rows of every instance whose partition's committed offset has passed them. Runs now
 * and then; the rows only matter until their batch is published.
 */
export async function deleteSettledBatches(
  admin: Admin,
  pool: pg.Pool,
  groupId: string,
  commandTopic: string,
): Promise<number> {
  const committed = await committedOffsets(admin, groupId, commandTopic);
  if (committed.size === 0) return 0;
  const result = await pool
    .query(
      `DELETE FROM handled_batch h
        USING unnest($1::int[], $2::bigint[]) AS c(partition, next_offset)
        WHERE h.src_topic = $3 AND h.src_partition = c.partition AND h.last_offset < c.next_offset`,
      [[...committed.keys()], [...committed.values()].map(String), commandTopic],
    )
    .catch((e: unknown) => {
      throw toDatabaseError(e, 'deleting settled batches');
    });
  return result.rowCount ?? 0;
}

/** Committed offset per partition of one topic for a group; partitions without one are left out. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const out = new Map<number, bigint>();
  for (const p of entry?.partitions ?? []) {
    const offset = BigInt(p.offset);
    if (offset >= 0n) out.set(p.partition, offset);
  }
  return out;
}

async function query(pool: pg.Pool, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  try {
    return (await pool.query(text, values)).rows;
  } catch (e) {
    throw toDatabaseError(e, 'recovery query');
  }
}
