// docker/postgres-init, run as PostgreSQL's image runs it (a fresh cluster, trusted local connections,
// POSTGRES_USER and the compose file's variables), on a throwaway cluster of this machine's PostgreSQL
// (Debian's, as on the CI machines). Afterwards the local stack's own migration runner must find every
// file applied: the two ways of creating the databases agree.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@open-bank/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCompose } from './compose.ts';
import { REPO_ROOT } from './repo.ts';

/** The newest PostgreSQL server installed from Debian's packages, if any. */
function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter(
      (v) =>
        /^\d+$/.test(v) &&
        existsSync(join(base, v, 'bin', 'initdb')) &&
        existsSync(join(base, v, 'bin', 'psql')),
    )
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], 'bin');
}

/** PostgreSQL refuses to run as root: then everything runs as the system user postgres. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

const BIN = postgresBin();
const USER = runAs();
const usable = BIN !== undefined && (process.getuid?.() !== 0 || USER !== undefined);
if (!usable) {
  process.stderr.write(
    'postgres-init.int.test.ts: SKIPPED — no PostgreSQL server from Debian packages here\n',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe.skipIf(!usable)('docker/postgres-init', () => {
  const bin = BIN as string;
  const dir = mkdtempSync(join(tmpdir(), 'open-bank-pginit-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  // Copies: the user postgres may not be able to enter the checkout (e.g. under /root).
  const migrations = join(dir, 'migrations');
  const initDir = join(dir, 'initdb.d');
  const asUser = USER ?? {};
  let server: ChildProcess | undefined;
  let port = 0;
  let serverLog = '';

  const postgresEnv = () => {
    const compose = parseCompose(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'));
    const env = compose.services.postgres?.environment ?? {};
    return {
      POSTGRES_USER: env.POSTGRES_USER ?? 'postgres',
      DB_PASSWORD: env.DB_PASSWORD ?? '',
      // The compose file mounts the migrations at its MIGRATIONS_DIR; here they are in the temp copy.
      MIGRATIONS_DIR: migrations,
    };
  };

  const psql = (user: string, database: string, sql: string) =>
    spawnSync(
      join(bin, 'psql'),
      ['-X', '-At', '-h', socket, '-p', String(port), '-U', user, '-d', database, '-c', sql],
      {
        encoding: 'utf8',
        ...asUser,
      },
    );

  beforeAll(async () => {
    chmodSync(dir, 0o755);
    mkdirSync(socket);
    cpSync(join(REPO_ROOT, 'packages', 'stack', 'migrations'), migrations, { recursive: true });
    cpSync(join(REPO_ROOT, 'docker', 'postgres-init'), initDir, { recursive: true });
    if (USER) {
      for (const p of [dir, socket]) chownSync(p, USER.uid, USER.gid);
    }
    const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-E', 'UTF8', '--no-locale'], {
      encoding: 'utf8',
      ...asUser,
    });
    expect(init.status, init.stderr).toBe(0);
    port = await freePort();
    server = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-k', socket, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
      { stdio: ['ignore', 'pipe', 'pipe'], ...asUser },
    );
    server.stderr?.on('data', (d) => {
      serverLog += d;
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ready = spawnSync(join(bin, 'pg_isready'), ['-h', socket, '-p', String(port)], asUser);
      if (ready.status === 0) break;
      if (server.exitCode !== null) throw new Error(`postgres exited: ${serverLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    if (server?.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the roles, databases and tables from the migrations', () => {
    const scripts = readdirSync(initDir).filter((f) => f.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      // The image executes executable scripts (and sources the others) with its environment.
      const run = spawnSync(join(initDir, script), [], {
        encoding: 'utf8',
        env: { PATH: `${bin}:/usr/bin:/bin`, PGHOST: socket, PGPORT: String(port), ...postgresEnv() },
        ...asUser,
      });
      expect(run.status, `${script}: ${run.stdout}${run.stderr}`).toBe(0);
    }
    const company = psql(
      'command_handler',
      'balancedb',
      "select amount from balance where iban = 'NL66OPEN0000000000'",
    );
    expect(company.stdout.trim(), company.stderr).toBe('100000000000000000');
    const tables = psql(
      'graphql_endpoint',
      'transactiondb',
      "select string_agg(tablename, ',' order by tablename) from pg_tables where schemaname = 'public'",
    );
    expect(tables.stdout.trim()).toBe('account,money_transfer,schema_migrations,transaction');
  });

  it("leaves nothing for the local stack's migration runner to apply", async () => {
    const applied = await migrate(
      {
        host: '127.0.0.1',
        port,
        adminUser: 'postgres',
        adminPassword: '',
        dbPassword: postgresEnv().DB_PASSWORD,
      },
      migrations,
    );
    expect(applied).toEqual([]);
  });
});
