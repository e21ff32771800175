import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { stackEnv } from './testing/index.ts';

function client(user: string, password: string, database: string) {
  const env = stackEnv();
  return new pg.Client({ host: env.DB_HOSTNAME, port: Number(env.DB_PORT), user, password, database });
}

async function query<T extends pg.QueryResultRow>(c: pg.Client, sql: string, params: unknown[] = []) {
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

describe("the stack's PostgreSQL", () => {
  it('has both service databases, each owned by its service role', async () => {
    const env = stackEnv();
    const rows = await query<{ datname: string; owner: string }>(
      client(env.DB_ADMIN_USER, env.DB_ADMIN_PASSWORD, 'postgres'),
      `select d.datname, r.rolname as owner from pg_database d join pg_roles r on r.oid = d.datdba
       where d.datname in ('balancedb', 'transactiondb') order by d.datname`,
    );
    expect(rows).toEqual([
      { datname: 'balancedb', owner: 'command_handler' },
      { datname: 'transactiondb', owner: 'graphql_endpoint' },
    ]);
  });

  it('lets each role log in to its own database and create tables there', async () => {
    const env = stackEnv();
    for (const [user, database] of [
      ['command_handler', 'balancedb'],
      ['graphql_endpoint', 'transactiondb'],
    ] as const) {
      const c = client(user, env.DB_PASSWORD, database);
      await c.connect();
      try {
        const who = await c.query<{ u: string; d: string }>(
          'select current_user as u, current_database() as d',
        );
        expect(who.rows[0]).toEqual({ u: user, d: database });
        await c.query('create temporary table probe (x int)');
        const applied = await c.query<{ n: string }>('select count(*) as n from schema_migrations');
        expect(Number(applied.rows[0]?.n)).toBeGreaterThanOrEqual(0);
      } finally {
        await c.end();
      }
    }
  });

  it('refuses a wrong password', async () => {
    await expect(
      query(client('command_handler', 'not-the-password', 'balancedb'), 'select 1'),
    ).rejects.toThrow(/password authentication failed/);
  });

  it('recorded the cluster migration once', async () => {
    const env = stackEnv();
    const rows = await query<{ name: string }>(
      client(env.DB_ADMIN_USER, env.DB_ADMIN_PASSWORD, 'postgres'),
      'select name from schema_migrations order by name',
    );
    expect(rows.map((r) => r.name)).toContain('001-roles-and-databases.sql');
  });
});
