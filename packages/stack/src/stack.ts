import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { Env } from '@open-bank/config';
import { PartFailedError, PortInUseError, StackError, StateMismatchError, StopError } from './errors.ts';
import { withFileLock } from './file-lock.ts';
import { KAFKA_HOST } from './kafka.ts';
import { isClusterId, newClusterId } from './kafka-config.ts';
import type { DbServer } from './migrate.ts';
import { buildParts, depthOf, type Part, type StackContext } from './parts.ts';
import { profilePaths } from './paths.ts';
import { kafkaNodes, layoutProblems, portLayout } from './ports.ts';
import { POSTGRES_HOST } from './postgres.ts';
import {
  commandLine,
  isAlive,
  listenerOf,
  markedProcesses,
  portIsFree,
  runToEnd,
  STACK_MARKER_VAR,
  signal,
  spawnDetached,
  stopGroup,
  waitForExit,
  waitUntil,
} from './processes.ts';
import type { StackSettings } from './settings.ts';
import type { StackEnv } from './stack-env.ts';
import { describeStart, type ServiceStartup, startTimes } from './start-report.ts';
import { readState, type StackState, withoutPart, withPart, writeState } from './state.ts';

export interface StackOptions {
  /** The caller's environment: children inherit PATH, HOME and the like from it. */
  readonly env: Env;
  readonly log?: (message: string) => void;
}

export interface UpOptions extends StackOptions {
  /**
   * Start only these parts (and what they need): names, or a group such as `kafka` for kafka-1..n.
   * Undefined: everything.
   */
  readonly only?: readonly string[];
}

/** The parts `only` selects, with everything they depend on. */
export function selectParts(parts: readonly Part[], only: readonly string[] | undefined): Set<string> {
  if (only === undefined) return new Set(parts.map((p) => p.name));
  const byName = new Map(parts.map((p) => [p.name, p]));
  const chosen = new Set<string>();
  const add = (name: string) => {
    if (chosen.has(name)) return;
    chosen.add(name);
    for (const a of byName.get(name)?.after ?? []) add(a);
  };
  for (const want of only) {
    const matches = parts.filter((p) => p.name === want || p.name.startsWith(`${want}-`));
    if (matches.length === 0) {
      throw new StateMismatchError(`unknown part '${want}' (parts: ${parts.map((p) => p.name).join(', ')})`);
    }
    for (const m of matches) add(m.name);
  }
  return chosen;
}

// Only these reach the children: a service's configuration comes from its part entry, never by accident
// from the shell (or from vitest, when the global setup starts the stack).
const INHERITED_VARS = [
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'JAVA_HOME',
  'TERM',
  'LOG_LEVEL',
];

/** Resolves ports, broker count and cluster id for the profile, checking them against its data on disk. */
export function stackContext(
  settings: StackSettings,
  options: StackOptions,
  state?: StackState,
): StackContext {
  const paths = profilePaths(settings.profile);
  const current = state ?? readState(paths.stateFile, settings.profile);
  const kafkaFormatted = existsSync(paths.kafkaDir(1));
  if (
    settings.brokers !== undefined &&
    current.brokers !== undefined &&
    kafkaFormatted &&
    settings.brokers !== current.brokers
  ) {
    throw new StateMismatchError(
      `profile ${settings.profile} holds Kafka data for ${current.brokers} broker(s), not ${settings.brokers}: ` +
        `run \`pnpm stack down --profile ${settings.profile} --wipe\` first, or drop --brokers`,
    );
  }
  const brokers = settings.brokers ?? current.brokers ?? 1;
  const layout = portLayout(settings.portOffset);
  const problems = layoutProblems(layout, brokers);
  if (problems.length > 0) throw new StateMismatchError(`bad port layout: ${problems.join('; ')}`);
  const nodes = kafkaNodes(layout, brokers);
  const clusterId = current.clusterId && isClusterId(current.clusterId) ? current.clusterId : newClusterId();
  const pg = settings.postgres;
  const db: DbServer = {
    host: pg.external ? pg.host : POSTGRES_HOST,
    port: pg.external ? pg.port : layout.postgres,
    adminUser: settings.dbAdminUser,
    adminPassword: settings.dbAdminPassword,
    dbPassword: settings.dbPassword,
  };
  const env: StackEnv = {
    KAFKA_BROKERS: nodes.map((n) => `${KAFKA_HOST}:${n.port}`).join(','),
    SCHEMA_REGISTRY_URL: `http://127.0.0.1:${layout.schemaRegistry}`,
    DB_HOSTNAME: db.host,
    DB_PORT: String(db.port),
    DB_PASSWORD: db.dbPassword,
    DB_ADMIN_USER: db.adminUser,
    DB_ADMIN_PASSWORD: db.adminPassword,
  };
  const baseEnv: Record<string, string> = { [STACK_MARKER_VAR]: paths.stackDir };
  for (const k of INHERITED_VARS) {
    const v = options.env[k];
    if (v !== undefined) baseEnv[k] = v;
  }
  return { settings, paths, layout, nodes, clusterId, db, env, baseEnv, log: options.log ?? (() => {}) };
}

/** One stack command at a time per profile. */
function withLock<T>(ctx: StackContext, fn: () => Promise<T>): Promise<T> {
  return withFileLock(ctx.paths.lockFile, `profile ${ctx.settings.profile}`, 120_000, fn);
}

export function tailOf(file: string, lines = 40): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    try {
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      return buf
        .toString('utf8')
        .split('\n')
        .slice(-lines - 1)
        .join('\n')
        .trimEnd();
    } finally {
      closeSync(fd);
    }
  } catch {
    return '(no log)';
  }
}

export interface PartOutcome {
  readonly name: string;
  readonly outcome: 'started' | 'running' | 'external' | 'ran' | 'skipped';
  readonly seconds: number;
  readonly detail?: string;
}

export interface UpResult {
  readonly env: StackEnv;
  readonly parts: readonly PartOutcome[];
  readonly listening: readonly { name: string; url: string }[];
  readonly seconds: number;
}

class Aborted extends Error {}

/**
 * How many services may be starting at once: one per core. A service's start is nearly all CPU (reading
 * and running its bundle, then connecting), so four at once on two cores each took about twice as long
 * as alone (0.4–0.8 s, the endpoint 1.2 s on a slower machine), and none finished sooner for it. A slot is
 * held from the spawn until the service answers its probe; Kafka and PostgreSQL, which the services wait
 * for anyway, take none.
 */
function startSlots(n: number): { take(): Promise<void>; give(): void } {
  let free = n;
  const waiting: (() => void)[] = [];
  return {
    take: async () => {
      if (free > 0) {
        free--;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    give: () => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

/**
 * Starts every part in the background in dependency order (independent parts in parallel) and returns
 * once all are healthy. Parts already running are kept. On failure, what this call started is stopped.
 */
export async function up(settings: StackSettings, options: UpOptions): Promise<UpResult> {
  const t0 = Date.now();
  const base = stackContext(settings, options);
  return withLock(base, async () => {
    mkdirSync(base.paths.logsDir, { recursive: true });
    let state = readState(base.paths.stateFile, settings.profile);
    const ctx = stackContext(settings, options, state);
    state = {
      ...state,
      brokers: ctx.nodes.length,
      clusterId: ctx.clusterId,
      portOffset: settings.portOffset,
    };
    writeState(ctx.paths.stateFile, state);
    const selected = selectParts(buildParts(ctx), options.only);
    const parts = buildParts(ctx).map((p) =>
      selected.has(p.name) || p.skip ? p : { ...p, skip: 'not selected (--only)' },
    );
    depthOf(parts); // rejects cycles and unknown names before anything starts

    const running = (p: Part) => {
      const s = state.parts[p.name];
      return s !== undefined && isAlive(s.pid, s.procStart);
    };
    for (const p of parts) {
      if (p.kind !== 'daemon' || p.external || p.skip || running(p)) continue;
      for (const port of p.ports) {
        if (await portIsFree(port)) continue;
        const owner = listenerOf(port);
        throw new PortInUseError(
          `port ${port} (${p.name}, profile ${settings.profile}) is already in use` +
            (owner ? ` by pid ${owner.pid}: ${owner.command.slice(0, 200)}` : '') +
            '. Stop that process, or use another profile (--profile/--port-offset).',
        );
      }
    }

    const started: Part[] = [];
    const slots = startSlots(Math.max(1, availableParallelism()));
    const outcomes: PartOutcome[] = [];
    const skipped = new Set<string>();
    let aborted = false;
    const done = new Map<string, Promise<void>>();
    const byName = new Map(parts.map((p) => [p.name, p]));

    const bringUp = async (p: Part): Promise<void> => {
      await Promise.all(p.after.map((a) => done.get(a)));
      if (aborted) throw new Aborted();
      const t = Date.now();
      const outcome = (o: PartOutcome['outcome'], detail?: string) =>
        outcomes.push({
          name: p.name,
          outcome: o,
          seconds: (Date.now() - t) / 1000,
          ...(detail ? { detail } : {}),
        });
      const blockedBy = p.after.find((a) => skipped.has(a));
      if (p.skip || blockedBy) {
        skipped.add(p.name);
        const why = p.skip ?? `${blockedBy} is skipped`;
        ctx.log(`${p.name}: skipped (${why})`);
        outcome('skipped', why);
        return;
      }
      if (p.kind === 'one-shot') {
        await p.prepare?.();
        ctx.log(`${p.name}: running`);
        const code = await runToEnd(p.launch(), p.log, p.startTimeoutMs).catch((e: Error) => {
          throw new PartFailedError(p.name, `${p.name} failed: ${e.message}`, tailOf(p.log));
        });
        if (code !== 0)
          throw new PartFailedError(p.name, `${p.name} exited with code ${code}`, tailOf(p.log));
        outcome('ran');
        return;
      }
      let pid: number | undefined;
      let procStart: string | undefined;
      let kind: PartOutcome['outcome'] = 'external';
      let spawnedAt: number | undefined;
      let died = false;
      let servingAt: number | undefined;
      let healthyAt = 0;
      let startup: ServiceStartup | undefined;
      let slotHeld = false;
      const releaseSlot = () => {
        if (slotHeld) slots.give();
        slotHeld = false;
      };
      try {
        if (!p.external) {
          const existing = state.parts[p.name];
          if (existing && isAlive(existing.pid, existing.procStart)) {
            ({ pid, procStart } = existing);
            kind = 'running';
          } else {
            await p.prepare?.();
            if (aborted) throw new Aborted();
            if (p.probe) {
              await slots.take();
              slotHeld = true;
            }
            spawnedAt = performance.now();
            ({ pid, procStart } = spawnDetached(p.launch(), p.log));
            started.push(p);
            state = withPart(state, p.name, {
              pid,
              procStart,
              ports: p.ports,
              log: p.log,
              startedAt: new Date().toISOString(),
            });
            writeState(ctx.paths.stateFile, state);
            kind = 'started';
            ctx.log(`${p.name}: started (pid ${pid})`);
          }
        }
        const check = async (): Promise<boolean> => {
          if (!p.probe) return p.healthy();
          const probe = await p.probe();
          const at = performance.now();
          if (probe.answered) {
            servingAt ??= at;
            releaseSlot();
          }
          startup = probe.startup ?? startup;
          healthyAt = at;
          return probe.ok;
        };
        const healthy = await waitUntil(
          async () => {
            if (aborted) throw new Aborted();
            if (pid !== undefined && !isAlive(pid, procStart)) {
              died = true;
              return true;
            }
            return check();
          },
          p.startTimeoutMs,
          p.pollMs ?? 250,
        );
        if (died) throw new PartFailedError(p.name, `${p.name} exited while starting`, tailOf(p.log));
        if (!healthy) {
          throw new PartFailedError(
            p.name,
            `${p.name} did not become healthy within ${Math.round(p.startTimeoutMs / 1000)}s`,
            tailOf(p.log),
          );
        }
        try {
          await p.ready?.();
        } catch (e) {
          if (e instanceof StackError) throw e;
          throw new PartFailedError(p.name, `${p.name}: ${(e as Error).message}`, tailOf(p.log));
        }
      } finally {
        releaseSlot();
      }
      outcome(kind);
      if (spawnedAt !== undefined && p.probe) {
        const since = (at: number) => (at - (spawnedAt as number)) / 1000;
        ctx.log(
          describeStart(
            p.name,
            startTimes(servingAt === undefined ? undefined : since(servingAt), since(healthyAt), startup),
          ),
        );
      } else {
        ctx.log(
          `${p.name}: healthy${kind === 'running' ? ' (was running)' : ''} after ${((Date.now() - t) / 1000).toFixed(1)}s`,
        );
      }
    };

    for (const p of parts) {
      const promise = (async () => {
        await Promise.resolve(); // let every entry be registered before any waits on another
        for (const a of p.after) if (!byName.has(a)) throw new Error(`unknown part ${a}`);
        return bringUp(p);
      })();
      promise.catch(() => {
        aborted = true;
      });
      done.set(p.name, promise);
    }
    const results = await Promise.allSettled(done.values());
    const failure = results
      .map((r) => (r.status === 'rejected' ? (r.reason as unknown) : undefined))
      .find((e) => e !== undefined && !(e instanceof Aborted));
    if (failure !== undefined) {
      if (failure instanceof PartFailedError && failure.logTail) {
        ctx.log(
          `--- last lines of ${byName.get(failure.part)?.log ?? failure.part} ---\n${failure.logTail}\n---`,
        );
      }
      if (started.length > 0) {
        ctx.log(`stopping what was started: ${started.map((p) => p.name).join(', ')}`);
        state = await stopParts(ctx, started, state);
      }
      throw failure;
    }
    const listening = parts
      .filter((p) => p.kind === 'daemon' && p.url && !skipped.has(p.name))
      .map((p) => ({ name: p.name, url: p.url as string }));
    return { env: ctx.env, parts: outcomes, listening, seconds: (Date.now() - t0) / 1000 };
  });
}

/** Stops the given parts level by level from the deepest, parts of one level in parallel. */
async function stopParts(ctx: StackContext, parts: readonly Part[], state: StackState): Promise<StackState> {
  const all = buildParts(ctx);
  const depth = depthOf(all);
  const levels = new Map<number, Part[]>();
  for (const p of parts) {
    const d = depth.get(p.name) ?? Number.MAX_SAFE_INTEGER;
    levels.set(d, [...(levels.get(d) ?? []), p]);
  }
  let next = state;
  for (const d of [...levels.keys()].sort((a, b) => b - a)) {
    await Promise.all(
      (levels.get(d) ?? []).map(async (p) => {
        const s = next.parts[p.name];
        if (s && isAlive(s.pid, s.procStart)) {
          ctx.log(`${p.name}: stopping (pid ${s.pid})`);
          await stopGroup(s.pid, p.stopSignal, p.stopGraceMs);
        }
        next = withoutPart(next, p.name);
        writeState(ctx.paths.stateFile, next);
      }),
    );
  }
  return next;
}

export interface DownResult {
  readonly stopped: readonly string[];
  readonly swept: readonly number[];
  readonly seconds: number;
}

/**
 * Stops everything of the profile: the recorded parts in reverse dependency order (SIGTERM, wait, SIGKILL),
 * then any process still carrying the profile's marker (e.g. after a crashed `up`), then checks that the
 * ports it used are free again.
 */
export async function down(
  settings: StackSettings,
  options: StackOptions & { wipe?: boolean },
): Promise<DownResult> {
  const t0 = Date.now();
  const base = stackContext({ ...settings, brokers: undefined }, options);
  return withLock(base, async () => {
    let state = readState(base.paths.stateFile, settings.profile);
    const ctx = stackContext({ ...settings, brokers: undefined }, options, state);
    const table = buildParts(ctx);
    const known = new Map(table.map((p) => [p.name, p]));
    const recorded = Object.keys(state.parts);
    const ports = new Set(Object.values(state.parts).flatMap((s) => s.ports));
    // Recorded parts that the table no longer has (e.g. kafka-3 after a change) stop first with defaults.
    for (const name of recorded.filter((n) => !known.has(n))) {
      const s = state.parts[name];
      if (s && isAlive(s.pid, s.procStart)) await stopGroup(s.pid, 'SIGTERM', 10_000);
      state = withoutPart(state, name);
    }
    state = await stopParts(
      ctx,
      table.filter((p) => recorded.includes(p.name)),
      state,
    );
    writeState(ctx.paths.stateFile, state);

    const strays = markedProcesses(ctx.paths.stackDir);
    for (const pid of strays) {
      ctx.log(`stopping leftover pid ${pid}: ${commandLine(pid).slice(0, 120)}`);
      signal(pid, 'SIGTERM');
    }
    if (strays.length > 0 && !(await waitForExit(strays, 10_000))) {
      for (const pid of strays) signal(pid, 'SIGKILL');
      await waitForExit(strays, 5_000);
    }
    const alive = markedProcesses(ctx.paths.stackDir);
    if (alive.length > 0) throw new StopError(`processes of the stack survived SIGKILL: ${alive.join(', ')}`);

    const busy: number[] = [];
    await waitUntil(
      async () => {
        busy.length = 0;
        for (const port of ports) if (!(await portIsFree(port))) busy.push(port);
        return busy.length === 0;
      },
      10_000,
      200,
    );
    if (busy.length > 0) {
      throw new StopError(
        `ports still in use after stopping: ${busy
          .map((p) => {
            const o = listenerOf(p);
            return o ? `${p} (pid ${o.pid}: ${o.command.slice(0, 100)})` : String(p);
          })
          .join(', ')}`,
      );
    }
    if (options.wipe) {
      removeProfileDir(ctx.paths.stackDir);
      ctx.log(`removed ${ctx.paths.stackDir}`);
    }
    return {
      stopped: table.map((p) => p.name).filter((n) => recorded.includes(n)),
      swept: strays,
      seconds: (Date.now() - t0) / 1000,
    };
  });
}

export interface PartStatus {
  readonly name: string;
  readonly kind: Part['kind'];
  readonly state: 'running' | 'stopped' | 'external' | 'skipped' | 'one-shot';
  readonly pid: number | undefined;
  readonly ports: readonly number[];
  readonly healthy: boolean | undefined;
  readonly url: string | undefined;
  readonly note: string | undefined;
}

export async function status(settings: StackSettings, options: StackOptions): Promise<PartStatus[]> {
  const state = readState(profilePaths(settings.profile).stateFile, settings.profile);
  const ctx = stackContext({ ...settings, brokers: undefined }, options, state);
  return Promise.all(
    buildParts(ctx).map(async (p): Promise<PartStatus> => {
      const s = state.parts[p.name];
      const common = { name: p.name, kind: p.kind, ports: p.ports, url: p.url };
      if (p.skip) return { ...common, state: 'skipped', pid: undefined, healthy: undefined, note: p.skip };
      if (p.kind === 'one-shot')
        return { ...common, state: 'one-shot', pid: undefined, healthy: undefined, note: undefined };
      if (p.external) {
        return { ...common, state: 'external', pid: undefined, healthy: await p.healthy(), note: undefined };
      }
      const alive = s !== undefined && isAlive(s.pid, s.procStart);
      return {
        ...common,
        state: alive ? 'running' : 'stopped',
        pid: alive ? s.pid : undefined,
        healthy: alive ? await p.healthy() : false,
        note: undefined,
      };
    }),
  );
}

/** Removes the profile's data (state, logs, Kafka and PostgreSQL data). Only when nothing of it runs. */
export function wipeProfile(profile: string): void {
  const dir = profilePaths(profile).stackDir;
  if (markedProcesses(dir).length > 0) {
    throw new StateMismatchError(`profile ${profile} still has running processes: run pnpm stack down first`);
  }
  removeProfileDir(dir);
}

/** The profile's directory, and PostgreSQL's data when it had to live outside (see postgresPlace). */
function removeProfileDir(stackDir: string): void {
  const link = join(stackDir, 'postgres');
  try {
    if (lstatSync(link).isSymbolicLink())
      rmSync(dirname(readlinkSync(link)), { recursive: true, force: true });
  } catch {
    // no PostgreSQL data
  }
  rmSync(stackDir, { recursive: true, force: true });
}
