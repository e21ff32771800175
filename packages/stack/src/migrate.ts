import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { MigrationError } from './errors.ts';
import { orderMigrations, parseMigration, type SqlStatement, type SqlVariables } from './migration-sql.ts';

export interface DbServer {
  readonly host: string;
  readonly port: number;
  readonly adminUser: string;
  readonly adminPassword: string;
  /** Password of the service roles. */
  readonly dbPassword: string;
}

/** The service databases, each owned by the role of the one service that writes it. */
export const DATABASES = [
  { database: 'balancedb', owner: 'command_handler' },
  { database: 'transactiondb', owner: 'graphql_endpoint' },
] as const;

// Any fixed number: serialises concurrent migration runs against one server.
const MIGRATION_LOCK = 7_314_420_001;

export function connect(server: DbServer, user: string, password: string, database: string) {
  return new pg.Client({
    host: server.host,
    port: server.port,
    user,
    password,
    database,
    connectionTimeoutMillis: 3_000,
    application_name: 'open-bank-stack',
  });
}

/** `select 1` as the given user on the given database; false when the server does not answer or refuses. */
export async function canQuery(server: DbServer, user: string, password: string, database: string) {
  const client = connect(server, user, password, database);
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface MigrationStep {
  /** Folder under migrations/. */
  readonly dir: string;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** Each file in one transaction (not for the cluster files: CREATE DATABASE cannot run in one). */
  readonly transactional: boolean;
}

export function migrationSteps(server: DbServer): MigrationStep[] {
  return [
    {
      dir: 'cluster',
      database: 'postgres',
      user: server.adminUser,
      password: server.adminPassword,
      transactional: false,
    },
    ...DATABASES.map((d) => ({
      dir: d.database,
      database: d.database,
      user: d.owner,
      password: server.dbPassword,
      transactional: true,
    })),
  ];
}

/** Applies every not yet applied file of every step, in order; returns the files applied now. */
export async function migrate(
  server: DbServer,
  migrationsDir: string,
  steps: readonly MigrationStep[] = migrationSteps(server),
): Promise<string[]> {
  const variables: SqlVariables = { db_password: server.dbPassword };
  const applied: string[] = [];
  for (const step of steps) {
    const dir = join(migrationsDir, step.dir);
    const files = existsSync(dir) ? orderMigrations(readdirSync(dir)) : [];
    const client = connect(server, step.user, step.password, step.database);
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (e) {
      throw new MigrationError(
        `cannot connect to ${step.database} on ${server.host}:${server.port} as ${step.user}: ${(e as Error).message}`,
        e,
      );
    }
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        `create table if not exists schema_migrations (
           name text primary key,
           sha256 text not null,
           applied_at timestamptz not null default now())`,
      );
      const done = new Map<string, string>(
        (
          await client.query<{ name: string; sha256: string }>('select name, sha256 from schema_migrations')
        ).rows.map((r) => [r.name, r.sha256]),
      );
      for (const file of files) {
        const text = readFileSync(join(dir, file), 'utf8');
        const sha = createHash('sha256').update(text).digest('hex');
        const label = `${step.dir}/${file}`;
        const before = done.get(file);
        if (before !== undefined) {
          if (before !== sha) {
            throw new MigrationError(
              `${label} changed after it was applied to ${step.database}; add a new file instead of editing it`,
            );
          }
          continue;
        }
        const statements = parseMigration(text, variables, label);
        await runFile(client, label, statements, step.transactional, async () => {
          await client.query('insert into schema_migrations (name, sha256) values ($1, $2)', [file, sha]);
        });
        applied.push(label);
      }
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      await client.end().catch(() => {});
    }
  }
  return applied;
}

async function runFile(
  client: pg.Client,
  label: string,
  statements: readonly SqlStatement[],
  transactional: boolean,
  record: () => Promise<void>,
) {
  if (transactional) await client.query('begin');
  try {
    for (const s of statements) {
      try {
        const result = await client.query({ text: s.sql, rowMode: 'array' });
        if (s.gexec) {
          for (const row of (result as pg.QueryResult<unknown[]>).rows) {
            for (const cell of row) if (cell !== null) await client.query(String(cell));
          }
        }
      } catch (e) {
        throw new MigrationError(`${label}: ${(e as Error).message}\n  in: ${s.sql.slice(0, 300)}`, e);
      }
    }
    await record();
    if (transactional) await client.query('commit');
  } catch (e) {
    if (transactional) await client.query('rollback').catch(() => {});
    throw e;
  }
}

/** Each service role can connect to its own database and query it. */
export async function rolesReady(server: DbServer): Promise<boolean> {
  const results = await Promise.all(
    DATABASES.map((d) => canQuery(server, d.owner, server.dbPassword, d.database)),
  );
  return results.every(Boolean);
}
