import pg from 'pg';
import type { AccountRecord, BankStore, TransferAnswer } from './bank.ts';
import type { TransactionRow } from './transaction.ts';

export const DB_USER = 'graphql_endpoint';
export const DB_NAME = 'transactiondb';

const INT8_OID = 20;

/**
 * A pool on transactiondb whose bigint columns come back as exact BigInt. The parser is set on this pool
 * only: changing pg's global parsers would change every other pool in the process too.
 */
export function createPool(options: {
  host: string;
  port: number;
  password: string;
  max?: number;
  applicationName?: string;
}): pg.Pool {
  const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => BigInt(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;
  return new pg.Pool({
    host: options.host,
    port: options.port,
    user: DB_USER,
    password: options.password,
    database: DB_NAME,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'graphql-endpoint',
    types: { getTypeParser },
  });
}

/** A balance_changed message with its place in Kafka, ready to be stored. */
export interface NewTransaction {
  readonly iban: string;
  readonly newBalance: bigint;
  readonly changedBy: bigint;
  readonly fromTo: string;
  readonly description: string;
  readonly createdAt: Date;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * A stored transaction with the place in Kafka it came from, and whether this statement inserted it (false:
 * stored before, by this instance on an earlier delivery or by another instance on the same database).
 */
export type StoredTransaction = TransactionRow & {
  readonly partition: number;
  readonly offset: string;
  readonly inserted: boolean;
};

interface Row {
  id: number;
  iban: string;
  new_balance: bigint;
  changed_by: bigint;
  from_to: string;
  description: string;
}

const COLUMNS = 'id, iban, new_balance, changed_by, from_to, description';

function toRow(r: Row): TransactionRow {
  return {
    id: r.id,
    iban: r.iban,
    newBalance: r.new_balance,
    changedBy: r.changed_by,
    fromTo: r.from_to,
    description: r.description,
  };
}

export class TransactionStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Stores a batch with one statement and returns every message of it as its row (in no promised order;
   * the projection orders what it pushes): the ones it inserted and those stored before (same topic, partition and offset: a re-delivery, or another
   * endpoint instance on this database that stored it first), told apart by `inserted`.
   *
   * ON CONFLICT DO UPDATE (with a no-op: the key columns set to the values they have) rather than DO
   * NOTHING, because only an updated row is returned, and because it waits for a row another transaction
   * is inserting and has not committed yet, then returns it; DO NOTHING with a SELECT in the same
   * statement would miss such a row. `xmax = 0` holds for a row version this statement inserted, not for
   * one it updated. Rows go in offset order, so two instances storing one partition's overlapping batches
   * take its rows' locks in the same order and cannot deadlock.
   */
  async insert(batch: readonly NewTransaction[]): Promise<StoredTransaction[]> {
    if (batch.length === 0) return [];
    const result = await this.pool.query<
      Row & { kafka_partition: number; kafka_offset: bigint; inserted: boolean }
    >(
      `INSERT INTO transaction AS t
         (iban, new_balance, changed_by, from_to, description, created_at,
          kafka_topic, kafka_partition, kafka_offset)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],
                            $6::timestamptz[], $7::text[], $8::integer[], $9::bigint[])
                     AS m(iban, new_balance, changed_by, from_to, description, created_at,
                          kafka_topic, kafka_partition, kafka_offset)
       ORDER BY m.kafka_partition, m.kafka_offset
       ON CONFLICT (kafka_topic, kafka_partition, kafka_offset)
         DO UPDATE SET kafka_offset = t.kafka_offset
       RETURNING ${COLUMNS}, kafka_partition, kafka_offset, (xmax = 0) AS inserted`,
      [
        batch.map((t) => t.iban),
        batch.map((t) => t.newBalance.toString()),
        batch.map((t) => t.changedBy.toString()),
        batch.map((t) => t.fromTo),
        batch.map((t) => t.description),
        batch.map((t) => t.createdAt.toISOString()),
        batch.map((t) => t.topic),
        batch.map((t) => t.partition),
        batch.map((t) => t.offset),
      ],
    );
    return result.rows.map((r) => ({
      ...toRow(r),
      partition: r.kafka_partition,
      offset: String(r.kafka_offset),
      inserted: r.inserted,
    }));
  }

  async byId(id: number): Promise<TransactionRow | null> {
    const result = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM transaction WHERE id = $1`, [id]);
    const row = result.rows[0];
    return row ? toRow(row) : null;
  }

  async byIban(iban: string, maxItems: number): Promise<TransactionRow[]> {
    if (maxItems === 0) return [];
    const result = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM transaction WHERE iban = $1 ORDER BY id DESC LIMIT $2`,
      [iban, maxItems],
    );
    return result.rows.map(toRow);
  }

  /**
   * The newest transaction of every iban, by iban. A recursive skip scan over the (iban, id desc) index:
   * one index probe per iban instead of reading every transaction ever stored.
   */
  async lastOfEveryIban(): Promise<TransactionRow[]> {
    const result = await this.pool.query<Row>(
      `WITH RECURSIVE ibans(iban) AS (
         (SELECT iban FROM transaction ORDER BY iban LIMIT 1)
         UNION ALL
         SELECT (SELECT t.iban FROM transaction t WHERE t.iban > ibans.iban ORDER BY t.iban LIMIT 1)
         FROM ibans WHERE ibans.iban IS NOT NULL
       )
       SELECT last.* FROM ibans
       CROSS JOIN LATERAL (
         SELECT ${COLUMNS} FROM transaction t WHERE t.iban = ibans.iban ORDER BY t.id DESC LIMIT 1
       ) last
       ORDER BY last.iban`,
    );
    return result.rows.map(toRow);
  }
}

interface AccountRow {
  username: string;
  password_hash: Buffer;
  salt: Buffer;
  command_id: string;
  iban: string | null;
  token: string | null;
}

export class PgBankStore implements BankStore {
  constructor(private readonly pool: pg.Pool) {}

  async findAccount(username: string): Promise<AccountRecord | null> {
    const result = await this.pool.query<AccountRow>(
      'SELECT username, password_hash, salt, command_id, iban, token FROM account WHERE username = $1',
      [username],
    );
    const r = result.rows[0];
    if (!r) return null;
    return {
      username: r.username,
      passwordHash: r.password_hash,
      salt: r.salt,
      commandId: r.command_id,
      iban: r.iban,
      token: r.token,
    };
  }

  async insertAccount(a: AccountRecord): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO account (username, password_hash, salt, command_id, iban, token)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING`,
      [a.username, a.passwordHash, a.salt, a.commandId, a.iban, a.token],
    );
    return result.rowCount === 1;
  }

  async setAccountNumbers(username: string, commandId: string, iban: string, token: string): Promise<void> {
    await this.pool.query(
      'UPDATE account SET iban = $3, token = $4 WHERE username = $1 AND command_id = $2',
      [username, commandId, iban, token],
    );
  }

  async replaceCommandId(username: string, failedId: string, newId: string): Promise<void> {
    await this.pool.query(
      'UPDATE account SET command_id = $3 WHERE username = $1 AND command_id = $2 AND iban IS NULL',
      [username, failedId, newId],
    );
  }

  async transferAnswer(uuid: string): Promise<TransferAnswer | null> {
    const result = await this.pool.query<{ success: boolean; reason: string | null }>(
      'SELECT success, reason FROM money_transfer WHERE uuid = $1',
      [uuid],
    );
    const r = result.rows[0];
    return r ? { success: r.success, reason: r.reason } : null;
  }

  async saveTransferAnswer(uuid: string, answer: TransferAnswer): Promise<void> {
    await this.pool.query(
      'INSERT INTO money_transfer (uuid, success, reason) VALUES ($1, $2, $3) ON CONFLICT (uuid) DO NOTHING',
      [uuid, answer.success, answer.reason],
    );
  }
}
