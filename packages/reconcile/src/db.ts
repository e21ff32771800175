import pg from 'pg';

const INT8_OID = 20;

export interface DbTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** A client whose bigint columns come back as exact BigInt; the global type parsers are left alone. */
export async function connectDb(target: DbTarget): Promise<pg.Client> {
  const client = new pg.Client({
    ...target,
    application_name: 'reconcile',
    connectionTimeoutMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (v: string) => BigInt(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Streams a query's rows in chunks through a server-side cursor, in one read-only repeatable-read
 * transaction (one snapshot of the database), so a table of any size passes with a chunk in memory.
 */
export async function streamRows<R>(
  client: pg.Client,
  sql: string,
  onRows: (rows: R[]) => void,
  chunk = 20_000,
): Promise<number> {
  let total = 0;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`DECLARE reconcile_cursor NO SCROLL CURSOR FOR ${sql}`);
    for (;;) {
      const r = await client.query<R & pg.QueryResultRow>(`FETCH ${chunk} FROM reconcile_cursor`);
      if (r.rows.length === 0) break;
      total += r.rows.length;
      onRows(r.rows);
    }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
  return total;
}

/** Rows left in balancedb's outbox (published by the command handler's relay, then deleted); 0 without one. */
export async function outboxRows(client: pg.Client): Promise<number> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass('outbox')::text AS t");
  if (!exists.rows[0]?.t) return 0;
  const r = await client.query<{ n: bigint }>('SELECT count(*)::bigint AS n FROM outbox');
  return Number(r.rows[0]?.n ?? 0n);
}

/** The command handler's consumed positions kept in balancedb (topic → partition → next offset), if it keeps them. */
export async function consumedPositions(
  client: pg.Client,
): Promise<Map<string, Map<number, bigint>> | undefined> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass('consumed')::text AS t");
  if (!exists.rows[0]?.t) return undefined;
  const r = await client.query<{ topic: string; partition: number; next_offset: bigint }>(
    'SELECT topic, partition, next_offset FROM consumed',
  );
  const out = new Map<string, Map<number, bigint>>();
  for (const row of r.rows) {
    const parts = out.get(row.topic) ?? new Map<number, bigint>();
    parts.set(row.partition, row.next_offset);
    out.set(row.topic, parts);
  }
  return out;
}
