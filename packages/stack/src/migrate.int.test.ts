import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DbServer, type MigrationStep, migrate } from './migrate.ts';
import { stackEnv } from './testing/index.ts';

// A scratch database and folder, so the runner is exercised without touching the stack's own databases.
const database = `migrate_probe_${process.pid}_${Date.now()}`;
let dir: string;
let server: DbServer;
let step: MigrationStep;

async function admin<T extends pg.QueryResultRow>(sql: string, db = 'postgres') {
  const env = stackEnv();
  const c = new pg.Client({
    host: env.DB_HOSTNAME,
    port: Number(env.DB_PORT),
    user: env.DB_ADMIN_USER,
    password: env.DB_ADMIN_PASSWORD,
    database: db,
  });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  const env = stackEnv();
  server = {
    host: env.DB_HOSTNAME,
    port: Number(env.DB_PORT),
    adminUser: env.DB_ADMIN_USER,
    adminPassword: env.DB_ADMIN_PASSWORD,
    dbPassword: "pa'ss\\word",
  };
  step = {
    dir: 'probe',
    database,
    user: server.adminUser,
    password: server.adminPassword,
    transactional: true,
  };
  dir = mkdtempSync(join(tmpdir(), 'stack-migrations-'));
  await admin(`create database ${database}`);
  const files = join(dir, 'probe');
  mkdirSync(files);
  writeFileSync(
    join(files, '001-table.sql'),
    "create table secrets (v text);\ninsert into secrets values (:'db_password');\n",
  );
  writeFileSync(
    join(files, '002-gexec.sql'),
    "select 'create table made_by_gexec (x int)' where not exists (select from pg_tables where tablename = 'made_by_gexec')\\gexec\n",
  );
});

afterAll(async () => {
  await admin(`drop database if exists ${database} with (force)`);
  rmSync(dir, { recursive: true, force: true });
});

describe('migration runner', () => {
  it('applies files in order once, with variables as safe literals and \\gexec', async () => {
    expect(await migrate(server, dir, [step])).toEqual(['probe/001-table.sql', 'probe/002-gexec.sql']);
    expect(await admin<{ v: string }>('select v from secrets', database)).toEqual([{ v: "pa'ss\\word" }]);
    expect(await admin("select 1 from pg_tables where tablename = 'made_by_gexec'", database)).toHaveLength(
      1,
    );
    expect(await migrate(server, dir, [step])).toEqual([]);
    const recorded = await admin<{ name: string }>(
      'select name from schema_migrations order by name',
      database,
    );
    expect(recorded.map((r) => r.name)).toEqual(['001-table.sql', '002-gexec.sql']);
  });

  it('rolls a failing file back entirely and does not record it', async () => {
    writeFileSync(
      join(dir, 'probe', '003-broken.sql'),
      'create table half (x int);\nselect * from no_such_table;\n',
    );
    await expect(migrate(server, dir, [step])).rejects.toThrow(/003-broken\.sql: .*no_such_table/);
    expect(await admin("select 1 from pg_tables where tablename = 'half'", database)).toHaveLength(0);
    rmSync(join(dir, 'probe', '003-broken.sql'));
  });

  it('refuses a file that changed after it was applied', async () => {
    writeFileSync(join(dir, 'probe', '001-table.sql'), 'create table secrets (v text, w text);\n');
    await expect(migrate(server, dir, [step])).rejects.toThrow(/001-table\.sql changed after it was applied/);
  });
});
