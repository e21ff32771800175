import pg from 'pg';
import { DatabaseError } from './errors.ts';

const INT8_OID = 20;

export interface DbSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly max: number;
}

/** A pool whose bigint columns come back as exact BigInt; the global type parsers are left alone. */
export function createPool(settings: DbSettings): pg.Pool {
  const pool = new pg.Pool({
    ...settings,
    application_name: 'command-handler',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A stuck statement or a frozen holder of row locks must not stall every partition for good: time
    // out (a retryable failure) and let the consumer loop try the batch again.
    statement_timeout: 30_000,
    query_timeout: 40_000,
    idle_in_transaction_session_timeout: 60_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (v: string) => BigInt(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next checkout reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATEs after which the same transaction, run again from the start, can succeed. */
const RETRY_IN_PLACE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '23505', // unique_violation: another instance stored the same command id first; re-reading sees it
]);

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 5 };

/**
 * Runs `work` in one transaction and returns its result as soon as COMMIT is acknowledged, with no other
 * I/O in between: callers rely on finishing in commit order. Transient conflicts are retried from the start.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  options: {
    retry?: RetryPolicy;
    onRetry?: (sqlState: string) => void;
    /** Called after each attempt that did not commit. */
    onRollback?: () => void;
  } = {},
): Promise<T> {
  const retry = options.retry ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw toDatabaseError(e, 'connecting to balancedb');
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (e) {
      broken = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      );
      client.release(broken);
      options.onRollback?.();
      const state = sqlStateOf(e);
      if (state !== undefined && RETRY_IN_PLACE.has(state) && attempt < retry.attempts) {
        options.onRetry?.(state);
        await sleep(retry.baseDelayMs * attempt * (0.5 + Math.random()));
        continue;
      }
      throw toDatabaseError(e, 'balancedb transaction');
    }
  }
}

export function sqlStateOf(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Only data exceptions (22) and integrity violations (23) are tied to the messages of a batch; everything
 * else — lost connections, a restarting server, even a missing table — is worth waiting out rather than
 * dead-lettering good commands over it.
 */
export function isMessageSpecific(sqlState: string | undefined): boolean {
  return sqlState !== undefined && (sqlState.startsWith('22') || sqlState.startsWith('23'));
}

export function toDatabaseError(e: unknown, what: string): DatabaseError {
  if (e instanceof DatabaseError) return e;
  const state = sqlStateOf(e);
  const message = e instanceof Error ? e.message : String(e);
  return new DatabaseError(
    `${what} failed${state ? ` (${state})` : ''}: ${message}`,
    state,
    !isMessageSpecific(state),
    e,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
