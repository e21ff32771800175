import { deadline, TRACE_HEADER } from '@open-bank/contract';
import {
  errorCode,
  extendTrace,
  type HopHistogram,
  isRetryable,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaTransaction,
  type Logger,
  nowMicros,
  observeHop,
  type ProducerRecord,
  parseTrace,
  TraceCheckpoint,
  type TransactionalProducer,
} from '@open-bank/runtime';
import { OUTBOX_POSITION_TOPIC } from '@open-bank/topology';
import pg from 'pg';
import type { DbSettings } from './db.ts';
import { RelayRoundTimeoutError } from './errors.ts';
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
  readonly kafka: KafkaClient;
  readonly db: DbSettings;
  readonly logger: Logger;
  readonly hops: HopHistogram;
  /** Kafka transactions run again after a failure, by error type. */
  readonly onRetry?: (error: string) => void;
  readonly onPublished?: (records: number) => void;
  readonly transactionalId?: string;
  readonly maxBatch?: number;
  /** How long a round may take before it is given up (see ROUND_TIMEOUT_MS). */
  readonly roundTimeoutMs?: number;
}

export const RELAY_TRANSACTIONAL_ID = 'command-handler-relay';
/** Key of the position records. */
const POSITION_KEY = 'relay';
/** How far back from the end the last position record is looked for: two offsets per transaction. */
const POSITION_LOOKBACK = 1_000n;
const POSITION_READ_TIMEOUT_MS = 30_000;
/**
 * How soon a transaction's first request is sent again when the broker still writes the previous
 * transaction's markers (CONCURRENT_TRANSACTIONS), which happens to nearly every transaction that follows
 * another closely: 3 ms rather than the usual 20. Patience for a broker that is away is the relay's own: it
 * settles and tries again, backing off, for as long as it takes.
 */
const RELAY_FIRST_RETRY_MS = 3;
/** Key of the advisory lock that is the relay's lease (any bigint; this one spells "obrelay"). */
const LEASE_KEY = '0x6f6272656c6179';
const LEASE_POLL_MS = 1_000;
const IDLE_POLL_MS = 500;
/**
 * The longest pause between two failed rounds. A round that fails on a broker outage is followed by a
 * settle (InitProducerId at the transaction coordinator, then the position read), and every answer waits
 * for the relay: at 2 s the pauses added up to seconds after the coordinator had moved, while requests have
 * 10 s in all. Each try fences and settles before it publishes, so trying more often changes no outcome.
 */
const MAX_BACKOFF_MS = 500;
/**
 * A round that has not committed within this long is given up: its producer is dropped unawaited and a new
 * one settles, fencing it (the coordinator aborts its transaction). A client can retry one produce of a
 * transaction for tens of seconds after a broker loss (seen on @platformatic/kafka: 21 s of refusals while a
 * new producer would have published at once). Doubled after each round given up in a row, up to
 * MAX_ROUND_TIMEOUT_MS, so a machine too busy for any round to finish in time still makes progress.
 */
const ROUND_TIMEOUT_MS = 3_000;
const MAX_ROUND_TIMEOUT_MS = 30_000;
/** A round slower than this is logged with where its time went. */
const SLOW_ROUND_MS = 1_000;
/** A dropped producer's disconnect is not waited for longer than this (a hung client must not hold the relay). */
const DISCONNECT_WAIT_MS = 1_000;
/**
 * A failed round's abort is not waited for longer than this; then its producer is dropped and the next one
 * fences it. librdkafka's abort waits up to 5 s, and after a broker loss it did (a transaction in the
 * "requires epoch bump" state): 5 s of no answers on top of the outage, and client requests timed out.
 */
const ABORT_WAIT_MS = 1_000;

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
  private producer: TransactionalProducer | undefined;
  private admin: KafkaAdmin | undefined;
  /** Seqs of the last round known to be published, still to delete. */
  private published: string[] = [];
  private stopped = false;
  private wake: (() => void) | undefined;
  /** A notification came while no one waited: the next wait returns at once. */
  private notified = false;
  private loop: Promise<void> | undefined;
  private backoff = 0;
  /** Rounds given up in a row (ROUND_TIMEOUT_MS). */
  private timeouts = 0;
  /**
   * Whether `published` is known to be all the outbox rows that Kafka holds: true after this relay's own
   * rounds, and after a round that failed before its commit was asked for (the next producer's fencing aborts
   * it). Unknown at first, after a commit whose answer never came, and after the lease was lost (another
   * instance may have relayed meanwhile); then settling reads the last position record back from Kafka.
   */
  private positionKnown = false;
  private topicReady = false;

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
        const claimStarted = performance.now();
        const rows = await this.claim();
        if (rows.length === 0) {
          await this.idle(IDLE_POLL_MS);
          continue;
        }
        const publishStarted = performance.now();
        const round = await this.publish(rows);
        const ended = performance.now();
        // A slow round is what holds every answer back: say where its time went.
        if (ended - claimStarted > SLOW_ROUND_MS)
          this.options.logger.info(
            {
              rows: rows.length,
              claimMs: Math.round(publishStarted - claimStarted),
              publishMs: Math.round(ended - publishStarted),
              aborted: round.aborted !== undefined,
            },
            'outbox relay round was slow',
          );
        if (round.aborted !== undefined) {
          const code = errorCode(round.aborted).replace(/^KAFKA_/, '');
          this.options.onRetry?.(code);
          this.options.logger.warn({ err: round.aborted, code }, 'outbox relay round aborted; trying again');
          await this.pause();
          continue;
        }
        this.backoff = 0;
      } catch (e) {
        if (this.stopped) break;
        const code = errorCode(e).replace(/^KAFKA_/, '');
        this.options.onRetry?.(code);
        this.options.logger.warn({ err: e, code }, 'outbox relay round failed; settling and trying again');
        await this.dropProducer();
        await this.pause();
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
      this.positionKnown = false;
      this.options.logger.info('outbox relay holds the lease');
      return true;
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Connects the transactional producer, which fences an earlier holder and settles its open transaction,
   * then, unless this relay knows what it published last, deletes the rows of the last published round.
   */
  private async settle(): Promise<void> {
    const { kafka, logger } = this.options;
    const started = Date.now();
    const producer = kafka.transactionalProducer({
      transactionalId: this.options.transactionalId ?? RELAY_TRANSACTIONAL_ID,
      transactionTimeoutMs: 15_000,
      firstRetryMs: RELAY_FIRST_RETRY_MS,
    });
    let connectedMs = 0;
    const readPosition = !this.positionKnown;
    try {
      await producer.connect();
      connectedMs = Date.now() - started;
      if (!this.admin) {
        const admin = kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      if (!this.topicReady) {
        await this.admin.createTopics([
          { topic: OUTBOX_POSITION_TOPIC, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } },
        ]);
        this.topicReady = true;
      }
      if (readPosition) {
        this.published = parseSeqs(await readLastPosition(kafka, this.admin));
        const lease = this.requireLease();
        await lease.query('DELETE FROM outbox WHERE seq = ANY($1::bigint[])', [this.published]);
        this.published = [];
        this.positionKnown = true;
      }
    } catch (e) {
      await this.disconnect(producer);
      throw e;
    }
    this.producer = producer;
    logger.info(
      { ms: Date.now() - started, connectedMs, positionRead: readPosition },
      'outbox relay producer settled',
    );
  }

  private async claim(): Promise<Row[]> {
    const r = await this.requireLease().query<Row>(NEXT_ROUND, [
      this.published,
      this.options.maxBatch ?? 5_000,
    ]);
    this.published = [];
    return r.rows;
  }

  /** One round; `aborted` is the error of a round aborted before its commit, tried again with this producer. */
  private async publish(rows: Row[]): Promise<{ aborted?: unknown }> {
    const producer = this.producer;
    if (!producer) throw new Error('outbox relay has no producer');
    const seqs = rows.map((r) => String(r.seq));
    const relayed = nowMicros();
    const traces = rows.map((r) => parseTrace(r.trace ?? undefined));
    const messages: ProducerRecord[] = rows.map((r) => ({
      topic: r.topic,
      key: r.key,
      value: r.value,
      ...(r.trace ? { headers: { [TRACE_HEADER]: extendTrace(r.trace, relayed) } } : {}),
    }));
    let committing = false;
    let givenUp = false;
    let tx: KafkaTransaction | undefined;
    const round = (async () => {
      tx = await producer.begin();
      messages.push({
        topic: OUTBOX_POSITION_TOPIC,
        key: POSITION_KEY,
        value: Buffer.from(formatSeqs(seqs)),
      });
      await tx.send(messages);
      // A round given up while its records were still being sent must never commit: its producer is
      // already dropped and the next one fences it.
      if (givenUp) throw new RelayRoundTimeoutError(this.roundTimeoutMs());
      committing = true;
      await tx.commit();
    })();
    try {
      await deadline(round, this.roundTimeoutMs(), () => {
        givenUp = true;
        round.catch(() => undefined);
        return new RelayRoundTimeoutError(this.roundTimeoutMs());
      });
    } catch (e) {
      if (givenUp) {
        this.timeouts++;
        // Nothing of a round given up before its commit becomes visible; a commit under way may have landed.
        this.positionKnown = !committing;
        throw e;
      }
      const aborted = await deadline(
        (tx?.abort() ?? Promise.reject(e)).then(
          () => true,
          () => false,
        ),
        ABORT_WAIT_MS,
        () => undefined,
      );
      // Aborted before its commit, nothing of the round is visible and its rows are still in the outbox:
      // the next round publishes them with this same producer. Settling a new one instead (InitProducerId
      // while the coordinator still aborts the old transaction, then the position read) is what held the
      // answers for tens of seconds on librdkafka after a broker loss. A failed commit leaves the outcome
      // unknown, so the next producer reads the position back; a round that failed before its commit did
      // not land even when its abort failed too, as the next producer's fencing aborts it.
      if (aborted && !committing && isRetryable(e)) return { aborted: e };
      this.positionKnown = !committing;
      throw e;
    }
    this.timeouts = 0;
    this.published = seqs;
    const committed = nowMicros();
    const { hops } = this.options;
    for (const t of traces) {
      observeHop(hops, 'outbox_relayed', t, TraceCheckpoint.written, relayed);
      if (t.length > 0) hops.observe({ hop: 'kafka_committed' }, (committed - relayed) / 1e6);
    }
    this.options.onPublished?.(rows.length);
    return {};
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

  /** Waits before the next try after a failed round, longer after each failure in a row. */
  private pause(): Promise<void> {
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff === 0 ? 50 : this.backoff * 2);
    return this.idle(this.backoff);
  }

  private roundTimeoutMs(): number {
    const base = this.options.roundTimeoutMs ?? ROUND_TIMEOUT_MS;
    return Math.min(Math.max(base, MAX_ROUND_TIMEOUT_MS), base * 2 ** this.timeouts);
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await this.disconnect(producer);
  }

  private async disconnect(producer: TransactionalProducer): Promise<void> {
    const done = producer.disconnect().catch(() => undefined);
    await deadline(done, DISCONNECT_WAIT_MS, () => undefined).catch(() => undefined);
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
 * caller's transactional producer settled every earlier transaction, so what it finds is final. Only the
 * topic's tail is read: every round writes one record, so the last one is near the end.
 */
export async function readLastPosition(kafka: KafkaClient, admin: KafkaAdmin): Promise<string> {
  const [end] = await admin.fetchTopicOffsets(OUTBOX_POSITION_TOPIC);
  const low = BigInt(end?.low ?? '0');
  const high = BigInt(end?.high ?? '0');
  if (high <= low) return '';
  const from = high - POSITION_LOOKBACK > low ? high - POSITION_LOOKBACK : low;
  let last = { offset: -1n, value: '' };
  await kafka.readToEnd(OUTBOX_POSITION_TOPIC, {
    from: new Map([[0, from.toString()]]),
    timeoutMs: POSITION_READ_TIMEOUT_MS,
    onMessages: (_partition, messages) => {
      for (const m of messages) {
        const offset = BigInt(m.offset);
        if (offset > last.offset) last = { offset, value: m.value?.toString() ?? '' };
      }
    },
  });
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
