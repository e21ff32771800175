import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { builtEntry } from '@open-bank/build';
import { ensureFrontendBuilt } from './frontend-build.ts';
import { kafkaLaunch, kafkaNodeFiles, kafkaSeesCluster, prepareKafkaNode } from './kafka.ts';
import { canQuery, type DbServer, migrate, rolesReady } from './migrate.ts';
import { MIGRATIONS_DIR, type ProfilePaths } from './paths.ts';
import type { KafkaNode, PortLayout } from './ports.ts';
import {
  type PostgresPlace,
  postgresLaunch,
  postgresPlace,
  postgresRunAs,
  preparePostgres,
} from './postgres.ts';
import { type Launch, STACK_MARKER_VAR } from './processes.ts';
import { ensureServiceBuilt } from './service-build.ts';
import type { StackSettings } from './settings.ts';
import type { StackEnv } from './stack-env.ts';
import { type HealthProbe, parseStartup } from './start-report.ts';

/** What every part of one stack shares: where it lives, its ports, and the connection settings. */
export interface StackContext {
  readonly settings: StackSettings;
  readonly paths: ProfilePaths;
  readonly layout: PortLayout;
  readonly nodes: readonly KafkaNode[];
  readonly clusterId: string;
  readonly db: DbServer;
  readonly env: StackEnv;
  /** Environment every child starts from (PATH, HOME, ...) plus the stack's marker variable. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Messages for the person running the stack. */
  readonly log: (message: string) => void;
}

/**
 * One thing the stack runs. `daemon`s stay up (their pid is recorded); a `one-shot` runs to its end and
 * must exit 0. A part starts once every part in `after` is healthy, and counts as up when `healthy()`
 * holds and `ready()` (if any) has completed.
 */
export interface Part {
  readonly name: string;
  readonly kind: 'daemon' | 'one-shot';
  readonly after: readonly string[];
  readonly ports: readonly number[];
  readonly log: string;
  /** Where a person reaches it, shown by `up` and `status`. */
  readonly url?: string;
  /** Why it does not run (e.g. its package does not exist yet). Parts after it are skipped too. */
  readonly skip?: string;
  /** Runs elsewhere (e.g. PostgreSQL given by DB_HOSTNAME): never started or stopped, only checked. */
  readonly external?: boolean;
  /** One-time setup before the process starts (format storage, initdb). */
  readonly prepare?: () => Promise<void>;
  readonly launch: () => Launch;
  /** Cheap check, polled; false until the part answers. Not used for one-shots. */
  readonly healthy: () => Promise<boolean>;
  /**
   * A service's /health read in full, polled instead of `healthy` while it starts: `up` then prints how
   * long it took to serve, to connect and to join its consumer groups.
   */
  readonly probe?: () => Promise<HealthProbe>;
  /** How often a start polls; quick for our services, whose start is measured. Default 250 ms. */
  readonly pollMs?: number;
  /** Work once healthy, before dependents start (e.g. migrations). Must be idempotent. */
  readonly ready?: () => Promise<void>;
  readonly stopSignal: NodeJS.Signals;
  readonly stopGraceMs: number;
  readonly startTimeoutMs: number;
}

export function repoRelative(ctx: StackContext, file: string): string {
  return join(ctx.paths.root, file);
}

/** GET url answers 200. */
export function httpOk(url: string): () => Promise<boolean> {
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  };
}

/** GET url: whether it answered at all, whether with 200, and the start milestones in a JSON body. */
export function healthProbe(url: string): () => Promise<HealthProbe> {
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { answered: true, ok: res.status === 200, startup: parseStartup(body) };
    } catch {
      return { answered: false, ok: false, startup: undefined };
    }
  };
}

export interface ServicePartSpec {
  readonly name: string;
  /** Folder under packages/ whose src/main.ts is the entry, e.g. heartbeat. */
  readonly service: string;
  readonly kind?: 'daemon' | 'one-shot';
  readonly after: readonly string[];
  readonly ports?: readonly number[];
  readonly url?: string;
  readonly env: Readonly<Record<string, string>>;
  /** Required for daemons: the service's health URL, e.g. `http://127.0.0.1:${port}/health`. */
  readonly healthUrl?: string;
  readonly startTimeoutMs?: number;
}

/**
 * A service of this repository, run with plain node on its bundle (packages/<service>/dist/main.js), which
 * is rebuilt first when any source it is made from changed (see @open-bank/build).
 */
export function servicePart(ctx: StackContext, spec: ServicePartSpec): Part {
  const source = `packages/${spec.service}/src/main.ts`;
  const healthUrl = spec.healthUrl;
  return {
    name: spec.name,
    kind: spec.kind ?? 'daemon',
    after: spec.after,
    ports: spec.ports ?? [],
    log: ctx.paths.log(spec.name),
    ...(spec.url === undefined ? {} : { url: spec.url }),
    ...(existsSync(repoRelative(ctx, source)) ? {} : { skip: `${source} does not exist yet` }),
    prepare: () => ensureServiceBuilt({ service: spec.service, root: ctx.paths.root, log: ctx.log }),
    launch: () => ({
      command: process.execPath,
      args: [builtEntry(spec.service, ctx.paths.root)],
      env: { ...ctx.baseEnv, ...spec.env },
      cwd: ctx.paths.root,
    }),
    healthy: healthUrl === undefined ? async () => true : httpOk(healthUrl),
    ...(healthUrl === undefined ? {} : { probe: healthProbe(healthUrl) }),
    pollMs: 20,
    stopSignal: 'SIGTERM',
    stopGraceMs: 10_000,
    startTimeoutMs: spec.startTimeoutMs ?? ctx.settings.startTimeoutMs,
  };
}

function kafkaPart(ctx: StackContext, node: KafkaNode): Part {
  const name = `kafka-${node.id}`;
  const files = kafkaNodeFiles(ctx.paths.kafkaDir(node.id));
  const log = ctx.paths.log(name);
  return {
    name,
    kind: 'daemon',
    after: [],
    ports: [node.port, node.controllerPort],
    log,
    url: `127.0.0.1:${node.port}`,
    prepare: () =>
      prepareKafkaNode({
        files,
        node,
        nodes: ctx.nodes,
        clusterId: ctx.clusterId,
        logFile: log,
        logsDir: ctx.paths.logsDir,
        env: ctx.baseEnv,
        cwd: files.dir,
      }),
    launch: () =>
      kafkaLaunch({
        files,
        heapOpts: ctx.settings.kafkaHeapOpts,
        logsDir: ctx.paths.logsDir,
        env: ctx.baseEnv,
        cwd: files.dir,
      }),
    healthy: () => kafkaSeesCluster(node.port, ctx.nodes.length),
    stopSignal: 'SIGTERM',
    // A controlled shutdown moves leadership away first; with the whole cluster stopping at once that can
    // stall on a lost quorum, after which SIGKILL is safe (the log is recovered at the next start).
    stopGraceMs: 20_000,
    startTimeoutMs: ctx.settings.startTimeoutMs,
  };
}

function postgresPart(ctx: StackContext): Part {
  const log = ctx.paths.log('postgres');
  const external = ctx.settings.postgres.external;
  let placed: PostgresPlace | undefined;
  const place = () => {
    placed ??= postgresPlace(ctx.paths.stackDir, postgresRunAs());
    return placed;
  };
  const db = ctx.db;
  // PostgreSQL gets a minimal environment: it runs as another user, for whom our HOME means nothing.
  const env = {
    PATH: ctx.baseEnv.PATH ?? '/usr/bin:/bin',
    LC_ALL: 'C',
    [STACK_MARKER_VAR]: ctx.paths.stackDir,
  };
  return {
    name: 'postgres',
    kind: 'daemon',
    after: [],
    ports: [db.port],
    log,
    url: `postgresql://${db.host}:${db.port}`,
    ...(external ? { external: true } : {}),
    prepare: async () => {
      const runAs = postgresRunAs();
      const { binaries, dataDir } = place();
      await preparePostgres({
        binaries,
        dataDir,
        runAs,
        adminUser: db.adminUser,
        adminPassword: db.adminPassword,
        logFile: log,
        env,
        // Somewhere the postgres user may enter: the repository itself may be closed to it.
        cwd: dirname(dataDir),
      });
    },
    launch: () => {
      const { binaries, dataDir } = place();
      return postgresLaunch({
        binaries,
        dataDir,
        port: db.port,
        runAs: postgresRunAs(),
        durable: ctx.settings.profile !== 'test',
        env,
        cwd: dirname(dataDir),
      });
    },
    healthy: () => canQuery(db, db.adminUser, db.adminPassword, 'postgres'),
    ready: async () => {
      const applied = await migrate(db, MIGRATIONS_DIR);
      if (applied.length > 0) ctx.log(`postgres: applied ${applied.join(', ')}`);
      if (!(await rolesReady(db))) {
        throw new Error('the service roles cannot connect to their databases after the migrations');
      }
    },
    // SIGINT is PostgreSQL's "fast" shutdown: it ends client sessions instead of waiting for them.
    stopSignal: 'SIGINT',
    stopGraceMs: 15_000,
    startTimeoutMs: ctx.settings.startTimeoutMs,
  };
}

/**
 * The parts table: everything `pnpm stack up` runs, in dependency order. A service is added with one more
 * servicePart entry (see README.md of this package).
 */
export function buildParts(ctx: StackContext): Part[] {
  const kafka = ctx.nodes.map((n) => kafkaPart(ctx, n));
  const kafkaNames = kafka.map((p) => p.name);
  const common = { KAFKA_BROKERS: ctx.env.KAFKA_BROKERS };
  return [
    ...kafka,
    postgresPart(ctx),
    servicePart(ctx, {
      name: 'schema-registry',
      service: 'schema-registry',
      after: kafkaNames,
      ports: [ctx.layout.schemaRegistry],
      url: ctx.env.SCHEMA_REGISTRY_URL,
      env: {
        ...common,
        KAFKA_CLIENT_ID: 'schema-registry',
        SCHEMA_REGISTRY_HOST: '127.0.0.1',
        SCHEMA_REGISTRY_PORT: String(ctx.layout.schemaRegistry),
        SCHEMA_REGISTRY_TOPIC: '_schemas',
      },
      healthUrl: `${ctx.env.SCHEMA_REGISTRY_URL}/subjects`,
    }),
    servicePart(ctx, {
      name: 'synchronizer',
      service: 'synchronizer',
      kind: 'one-shot',
      after: [...kafkaNames, 'schema-registry'],
      env: { ...common, SCHEMA_REGISTRY_URL: ctx.env.SCHEMA_REGISTRY_URL },
    }),
    ...serviceParts(ctx),
  ];
}

/** Parts that make up the infrastructure; the rest are the bank's services, which tests may start themselves. */
export const INFRA_PARTS = ['kafka', 'postgres', 'schema-registry', 'synchronizer'] as const;

/** The bank's services, each a bundle run with node, healthy once its /health answers 200. */
function serviceParts(ctx: StackContext): Part[] {
  const kafka = {
    KAFKA_BROKERS: ctx.env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: ctx.env.SCHEMA_REGISTRY_URL,
    HTTP_HOST: '127.0.0.1',
    KAFKA_CLIENT: ctx.settings.kafkaClient,
  };
  const db = { DB_HOSTNAME: ctx.env.DB_HOSTNAME, DB_PORT: ctx.env.DB_PORT, DB_PASSWORD: ctx.env.DB_PASSWORD };
  const health = (port: number) => `http://127.0.0.1:${port}/health`;
  const { layout } = ctx;
  const metricsOf = (port: number) => `http://127.0.0.1:${port}/metrics`;
  // What the Live view scrapes: every process of the bank that serves /metrics.
  const liveTargets = [
    ['heartbeat', layout.heartbeatControl],
    ['command-generator', layout.commandGenerator],
    ['command-handler', layout.commandHandler],
    ['graphql-endpoint', layout.graphql],
    ['schema-registry', layout.schemaRegistry],
    ['frontend-server', layout.frontend],
  ] as const;
  return [
    servicePart(ctx, {
      name: 'command-handler',
      service: 'command-handler',
      after: ['synchronizer', 'postgres'],
      ports: [layout.commandHandler],
      url: `http://127.0.0.1:${layout.commandHandler}/metrics`,
      env: { ...kafka, ...db, COMMAND_HANDLER_PORT: String(layout.commandHandler) },
      healthUrl: health(layout.commandHandler),
    }),
    servicePart(ctx, {
      name: 'graphql-endpoint',
      service: 'graphql-endpoint',
      after: ['synchronizer', 'postgres'],
      ports: [layout.graphql],
      url: `http://127.0.0.1:${layout.graphql}/graphql`,
      env: {
        ...kafka,
        ...db,
        GRAPHQL_PORT: String(layout.graphql),
        // Its static group member name, kept across restarts (pnpm chaos kills and restarts it under it); a
        // second endpoint on this stack needs a KAFKA_CLIENT_ID (its groups) and an instance name of its own.
        GRAPHQL_ENDPOINT_INSTANCE: '0',
        LIVE_METRICS_TARGETS: liveTargets.map(([name, port]) => `${name}=${metricsOf(port)}`).join(','),
        LIVE_HEARTBEAT_URL: `http://127.0.0.1:${layout.heartbeatControl}`,
        // Local mode is one person's machine: the Live view may set the load, GraphiQL is there to try.
        LIVE_HEARTBEAT_CONTROL: 'true',
        GRAPHIQL: 'true',
        // The frontend server on this host passes /graphql on: its X-Forwarded-For names the browser.
        TRUSTED_PROXIES: '127.0.0.1,::1',
      },
      healthUrl: health(layout.graphql),
    }),
    servicePart(ctx, {
      name: 'command-generator',
      service: 'command-generator',
      after: ['synchronizer'],
      ports: [layout.commandGenerator],
      url: `http://127.0.0.1:${layout.commandGenerator}/metrics`,
      env: { ...kafka, COMMAND_GENERATOR_PORT: String(layout.commandGenerator) },
      healthUrl: health(layout.commandGenerator),
    }),
    servicePart(ctx, {
      name: 'heartbeat',
      service: 'heartbeat',
      after: ['synchronizer'],
      ports: [layout.heartbeatControl],
      url: `http://127.0.0.1:${layout.heartbeatControl}/state`,
      env: { ...kafka, HEARTBEAT_PORT: String(layout.heartbeatControl) },
      healthUrl: health(layout.heartbeatControl),
    }),
    frontendPart(ctx),
  ];
}

/** The app and /graphql on one origin; its build is refreshed first when the sources changed. */
function frontendPart(ctx: StackContext): Part {
  const { layout } = ctx;
  const dir = repoRelative(ctx, 'packages/frontend');
  const part = servicePart(ctx, {
    name: 'frontend',
    service: 'frontend-server',
    after: ['graphql-endpoint'],
    ports: [layout.frontend],
    url: `http://localhost:${layout.frontend}`,
    env: {
      HTTP_HOST: '127.0.0.1',
      FRONTEND_PORT: String(layout.frontend),
      GRAPHQL_URL: `http://127.0.0.1:${layout.graphql}`,
      STATIC_DIR: join(dir, 'dist'),
    },
    healthUrl: `http://127.0.0.1:${layout.frontend}/health`,
  });
  const build = () =>
    ensureFrontendBuilt({
      dir,
      lockFile: join(ctx.paths.root, '.stack', 'frontend-build.lock'),
      logFile: part.log,
      env: ctx.baseEnv,
      log: ctx.log,
    });
  // Before a start, and again on an `up` that finds the server running: it serves dist from disk, so a
  // fresh build is live at once. The server's own bundle is built before a start only.
  const prepare = async () => {
    await Promise.all([part.prepare?.(), build()]);
  };
  return { ...part, prepare, ready: build };
}

/** Dependency depth of each part (0 = needs nothing); parts stop from the deepest level up. */
export function depthOf(parts: readonly Part[]): Map<string, number> {
  const byName = new Map(parts.map((p) => [p.name, p]));
  const depth = new Map<string, number>();
  const visit = (name: string, trail: readonly string[]): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (trail.includes(name)) throw new Error(`dependency cycle: ${[...trail, name].join(' -> ')}`);
    const part = byName.get(name);
    if (!part) throw new Error(`unknown part '${name}' in 'after' of ${trail.at(-1) ?? '?'}`);
    const d =
      part.after.length === 0 ? 0 : 1 + Math.max(...part.after.map((a) => visit(a, [...trail, name])));
    depth.set(name, d);
    return d;
  };
  for (const p of parts) visit(p.name, []);
  return depth;
}
