import { randomUUID } from 'node:crypto';
import { TRACE_HEADER } from '@open-bank/contract';
import {
  extendTrace,
  type HopHistogram,
  type Logger,
  nowMicros,
  observeHop,
  parseTrace,
  TraceCheckpoint,
  toTopicMessages,
} from '@open-bank/runtime';
import { OUTBOX_POSITION_TOPIC, producerDefaults, sendOptions } from '@open-bank/topology';
import type { Admin, Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import type { DbSettings } from './db.ts';
import { OUTBOX_CHANNEL } from './store.ts';

/**
 * Publishes the outbox (see migration balancedb/003) in seq order, one Kafka transaction per round, and
 * exactly once. One relay at a time holds the lease, a PostgreSQL advisory lock on a connection of its own;
 * every instance runs one, the others wait for the lease. All relays share one transactional id, so a relay
 * taking over fences the one before it and settles its last transaction before it reads where it got to.
 *
 * A round deletes the rows the previous round published and reads the oldest rows left, then publishes
 * them together with a record of their seqs on OUTBOX_POSITION_TOPIC in one Kafka transaction. So only the
 * last published round's rows can still be in the outbox; after any failure, or when taking over, the
 * relay reads the last committed record back from Kafka and deletes the rows it names.
 * (A record in the same produce request costs nothing; recording the number as a transactional offset
 * commit instead costs two more round trips per transaction, which measured about half its time.)
 */

export interface RelayOptions {
  readonly kafka: Kafka;
  readonly db: DbSettings;
  readonly logger: Logger;
  readonly hops: HopHistogram;
  /** Kafka transactions run again after a failure, by error type. */
  readonly onRetry?: (error: string) => void;
  readonly onPublished?: (records: number) => void;
  readonly transactionalId?: string;
  readonly maxBatch?: number;
}

export const RELAY_TRANSACTIONAL_ID = 'command-handler-relay';
/** Key of the position records. */
const POSITION_KEY = 'relay';
/** How far back from the end the last position record is looked for: two offsets per transaction. */
const POSITION_LOOKBACK = 1_000n;
/** Seconds of quiet after which reading the position topic's tail is taken as done. */
const POSITION_QUIET_MS = 1_000;
const POSITION_READ_TIMEOUT_MS = 30_000;
/**
 * kafkajs retries a transaction's first request after its initial retry time when the broker still writes
 * the previous transaction's markers (CONCURRENT_TRANSACTIONS), which happens to nearly every transaction
 * that follows another closely: 3 ms, doubling, rather than 20 ms. Patience for a broker that is away is the
 * relay's own: it settles and tries again, backing off, for as long as it takes.
 */
const RELAY_RETRY = { initialRetryTime: 3, multiplier: 2, retries: 8, maxRetryTime: 1_000 } as const;
/** Key of the advisory lock that is the relay's lease (any bigint; this one spells "obrelay"). */
const LEASE_KEY = '0x6f6272656c6179';
const LEASE_POLL_MS = 1_000;
const IDLE_POLL_MS = 500;
const MAX_BACKOFF_MS = 2_000;

// Both parts see the same snapshot, so the read leaves out the rows being deleted itself.
const NEXT_ROUND = `
WITH gone AS (DELETE FROM outbox WHERE seq = ANY($1::bigint[]))
SELECT seq, topic, key, value, trace FROM outbox WHERE seq <> ALL($1::bigint[]) ORDER BY seq LIMIT $2`;

interface Row {
  seq: bigint;
  topic: string;
  key: string | null;
  value: Buffer;
  trace: string | null;
}

export class OutboxRelay {
  private lease: pg.Client | undefined;
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  /** Seqs of the last round known to be published, still to delete. */
  private published: string[] = [];
  private stopped = false;
  private wake: (() => void) | undefined;
  /** A notification came while no one waited: the next wait returns at once. */
  private notified = false;
  private loop: Promise<void> | undefined;
  private backoff = 0;

  constructor(private readonly options: RelayOptions) {}

  /** Starts relaying in the background (or waiting for the lease). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Whether this instance holds the lease and relays now. */
  get leading(): boolean {
    return this.lease !== undefined && this.producer !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.release();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.lease) {
          if (!(await this.acquire())) {
            await this.idle(LEASE_POLL_MS);
            continue;
          }
        }
        if (!this.producer) await this.settle();
        this.notified = false;
        const rows = await this.claim();
        if (rows.length === 0) {
          await this.idle(IDLE_POLL_MS);
          continue;
        }
        await this.publish(rows);
        this.backoff = 0;
      } catch (e) {
        if (this.stopped) break;
        const code = errorType(e);
        this.options.onRetry?.(code);
        this.options.logger.warn({ err: e, code }, 'outbox relay round failed; settling and trying again');
        await this.dropProducer();
        this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff === 0 ? 50 : this.backoff * 2);
        await this.idle(this.backoff);
      }
    }
  }

  /** Tries to take the lease; true when this instance now holds it. */
  private async acquire(): Promise<boolean> {
    const client = new pg.Client({
      ...this.options.db,
      application_name: 'command-handler-relay',
      statement_timeout: 30_000,
      query_timeout: 40_000,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      types: undefined,
    });
    client.on('error', (e) => {
      this.options.logger.warn({ err: e }, 'outbox relay lost its database connection and with it the lease');
      if (this.lease === client) this.lease = undefined;
      void this.dropProducer();
      this.wake?.();
    });
    try {
      await client.connect();
      const r = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LEASE_KEY}) AS ok`);
      if (!r.rows[0]?.ok) {
        await client.end();
        return false;
      }
      client.on('notification', () => this.notify());
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.lease = client;
      this.options.logger.info('outbox relay holds the lease');
      return true;
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Connects the transactional producer, which fences an earlier holder and settles its open transaction,
   * then deletes the rows of the last published round.
   */
  private async settle(): Promise<void> {
    const { kafka } = this.options;
    const producer = kafka.producer({
      ...producerDefaults,
      transactionalId: this.options.transactionalId ?? RELAY_TRANSACTIONAL_ID,
      maxInFlightRequests: 1,
      transactionTimeout: 15_000,
      retry: RELAY_RETRY,
    });
    await producer.connect();
    try {
      this.admin ??= kafka.admin();
      await this.admin.connect();
      await this.admin.createTopics({
        topics: [
          {
            topic: OUTBOX_POSITION_TOPIC,
            numPartitions: 1,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
      this.published = parseSeqs(await readLastPosition(kafka, this.admin));
      const lease = this.requireLease();
      await lease.query('DELETE FROM outbox WHERE seq = ANY($1::bigint[])', [this.published]);
      this.published = [];
    } catch (e) {
      await producer.disconnect().catch(() => undefined);
      throw e;
    }
    this.producer = producer;
  }

  private async claim(): Promise<Row[]> {
    const r = await this.requireLease().query<Row>(NEXT_ROUND, [
      this.published,
      this.options.maxBatch ?? 5_000,
    ]);
    this.published = [];
    return r.rows;
  }

  private async publish(rows: Row[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('outbox relay has no producer');
    const seqs = rows.map((r) => String(r.seq));
    const relayed = nowMicros();
    const traces = rows.map((r) => parseTrace(r.trace ?? undefined));
    const messages = rows.map((r) => ({
      topic: r.topic,
      key: r.key,
      value: r.value,
      headers: r.trace ? { [TRACE_HEADER]: extendTrace(r.trace, relayed) } : undefined,
    }));
    const tx = await producer.transaction();
    try {
      messages.push({
        topic: OUTBOX_POSITION_TOPIC,
        key: POSITION_KEY,
        value: Buffer.from(formatSeqs(seqs)),
        headers: undefined,
      });
      await tx.sendBatch({ ...sendOptions, topicMessages: toTopicMessages(messages) });
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => undefined);
      throw e;
    }
    this.published = seqs;
    const committed = nowMicros();
    const { hops } = this.options;
    for (const t of traces) {
      observeHop(hops, 'outbox_relayed', t, TraceCheckpoint.written, relayed);
      if (t.length > 0) hops.observe({ hop: 'kafka_committed' }, (committed - relayed) / 1e6);
    }
    this.options.onPublished?.(rows.length);
  }

  private requireLease(): pg.Client {
    if (!this.lease) throw new Error('outbox relay lost its lease');
    return this.lease;
  }

  private notify(): void {
    if (this.wake) this.wake();
    else this.notified = true;
  }

  private idle(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.notified) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private async release(): Promise<void> {
    await this.dropProducer();
    await this.admin?.disconnect().catch(() => undefined);
    const lease = this.lease;
    this.lease = undefined;
    await lease?.end().catch(() => undefined);
  }
}

/**
 * The value of the last committed position record ('' when there is none). Read committed, after the
 * caller's transactional producer settled every earlier transaction, so what it finds is final.
 */
export async function readLastPosition(kafka: Kafka, admin: Admin): Promise<string> {
  const [end] = await admin.fetchTopicOffsets(OUTBOX_POSITION_TOPIC);
  const low = BigInt(end?.low ?? '0');
  const high = BigInt(end?.high ?? '0');
  if (high <= low) return '';
  const consumer = kafka.consumer({
    groupId: `${RELAY_TRANSACTIONAL_ID}-position-${randomUUID()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  let last = { offset: -1n, value: '' };
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: OUTBOX_POSITION_TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let quiet: NodeJS.Timeout | undefined;
      const deadline = setTimeout(
        () => reject(new Error('reading the outbox position took too long')),
        POSITION_READ_TIMEOUT_MS,
      );
      const finish = () => {
        clearTimeout(deadline);
        if (quiet) clearTimeout(quiet);
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const offset = BigInt(m.offset);
              if (offset > last.offset) last = { offset, value: m.value?.toString() ?? '' };
              // The last transaction's record is followed only by its commit marker.
              if (offset >= high - 2n) return finish();
            }
            if (quiet) clearTimeout(quiet);
            quiet = setTimeout(finish, POSITION_QUIET_MS);
          },
        })
        .then(() => {
          if (high - low > POSITION_LOOKBACK)
            consumer.seek({
              topic: OUTBOX_POSITION_TOPIC,
              partition: 0,
              offset: String(high - POSITION_LOOKBACK),
            });
          // With nothing committed to read (all aborted), no batch ever comes.
          quiet = setTimeout(finish, POSITION_QUIET_MS * 3);
        }, reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return last.value;
}

/** Seqs as compact ranges, `1-5,7,9-12`: a round's rows are mostly consecutive. */
export function formatSeqs(seqs: readonly string[]): string {
  const sorted = seqs.map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as bigint;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1n) end = sorted[++i] as bigint;
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return parts.join(',');
}

export function parseSeqs(text: string): string[] {
  if (text.trim() === '') return [];
  const out: string[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`malformed outbox position record: ${text.slice(0, 80)}`);
    const start = BigInt(m[1] as string);
    const end = m[2] === undefined ? start : BigInt(m[2]);
    for (let n = start; n <= end; n++) out.push(n.toString());
  }
  return out;
}

function errorType(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const r = e as { type?: unknown; name?: unknown };
    if (typeof r.type === 'string') return r.type;
    if (typeof r.name === 'string') return r.name;
  }
  return 'unknown';
}
