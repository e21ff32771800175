// Runs the scenarios: a stack of its own (infrastructure through @open-bank/stack, the services as its own
// children), background load from the heartbeat and the command generator, a few GraphQL clients, an
// observer on the topics; per scenario the faults, a settle phase, the figures and the reconciliation.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Env, parseConfig } from '@open-bank/config';
import { formatReport, reconcile, reconcileConfigSpec } from '@open-bank/reconcile';
import {
  down,
  type StackSettings,
  stackContext,
  stackSettings,
  status,
  up,
  wipeProfile,
} from '@open-bank/stack';
import {
  Codec,
  createKafka,
  createRegistry,
  kafkaConfigSpec,
  type Topology,
  topologyOf,
} from '@open-bank/topology';
import type { Kafka } from 'kafkajs';
import {
  awaitInSync,
  bankTopicNames,
  brokerRoles,
  clusterTopics,
  describeRoles,
  pickVictim,
} from './broker.ts';
import { BankClients, endpointTimeouts } from './clients.ts';
import { startObserver } from './observer.ts';
import type { ChaosOptions } from './options.ts';
import { formatScenario, progressLine, type ReconcileOutcome, type ScenarioResult } from './report.ts';
import type { Scenario, Step } from './scenarios.ts';
import { Services } from './services.ts';
import { type Fault, Tally, type Window } from './tally.ts';

/** What a run needs of the command line's options, with the scenarios resolved (tests build it directly). */
export type RunSettings = Pick<
  ChaosOptions,
  'kafkaClient' | 'rate' | 'clients' | 'profile' | 'portOffset' | 'keepData' | 'keepStack'
> & {
  readonly scenarios: readonly Scenario[];
  /** Kafka nodes of the chaos stack (default 1). */
  readonly brokers?: 1 | 3;
};

export interface RunIo {
  /** The caller's environment: the stack's children inherit PATH, HOME and the like from it. */
  readonly env: Env;
  /** A line of the report or of what is being done. */
  readonly log: (line: string) => void;
  /** The progress line, every couple of seconds while a scenario runs. */
  readonly progress: (line: string) => void;
}

const INFRA = ['kafka', 'postgres', 'schema-registry', 'synchronizer'];
/** How long, after the load stopped, the commands of a scenario may take to be answered. */
const SETTLE_MS = 90_000;
const PROGRESS_MS = 2_000;

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function runChaos(run: RunSettings, io: RunIo): Promise<ScenarioResult[]> {
  const settings: StackSettings = stackSettings(
    { profile: run.profile, brokers: run.brokers ?? 1, portOffset: run.portOffset },
    { ...io.env, KAFKA_CLIENT: run.kafkaClient },
  );
  const stackOptions = { env: io.env, log: (m: string) => io.log(`  stack: ${m}`) };
  if (!run.keepData) {
    await down(settings, stackOptions);
    wipeProfile(settings.profile);
  }
  io.log(
    `starting the ${run.profile} stack (port offset ${run.portOffset}, ${run.brokers ?? 1} broker(s)), services on ${run.kafkaClient}`,
  );
  const stack = await up(settings, { ...stackOptions, only: INFRA });
  const ctx = stackContext(settings, { env: io.env });
  const services = new Services(ctx);
  const tally = new Tally();
  const kafkaConfig = parseConfig(kafkaConfigSpec('chaos-observer'), { ...stack.env });
  const topology = topologyOf(kafkaConfig);
  const kafka = createKafka({ brokers: kafkaConfig.brokers, clientId: kafkaConfig.clientId });
  const codec = new Codec(createRegistry(kafkaConfig.schemaRegistryUrl), topology);
  const heartbeatUrl = `http://127.0.0.1:${ctx.layout.heartbeatControl}/state`;
  const endpointMetricsUrl = `http://127.0.0.1:${ctx.layout.graphql}/metrics`;
  /** Commands the endpoint answered with its own time-out so far; undefined if /metrics did not answer. */
  const endpointTimedOut = async (): Promise<number | undefined> => {
    try {
      const res = await fetch(endpointMetricsUrl, { signal: AbortSignal.timeout(5_000) });
      return res.ok ? endpointTimeouts(await res.text()) : undefined;
    } catch {
      return undefined;
    }
  };
  const clients = new BankClients(`http://127.0.0.1:${ctx.layout.graphql}`, run.clients, tally);
  const reconcileConfig = parseConfig(reconcileConfigSpec, { ...stack.env, RECONCILE_WAIT_SECONDS: '180' });
  let observer: { stop(): Promise<void> } | undefined;
  const results: ScenarioResult[] = [];

  const setLoad = async (perSecond: number) => {
    // 10 ticks a second; the command generator turns each beat into one command.
    const res = await fetch(heartbeatUrl, {
      method: 'PUT',
      body: JSON.stringify({ batchSize: Math.round(perSecond / 10), intervalMs: 100 }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`heartbeat control answered ${res.status}`);
  };

  /** Every service up, and exactly `handlers` command-handler instances. */
  const ensureServices = async (handlers: number) => {
    for (const name of ['heartbeat', 'command-generator', 'graphql-endpoint'] as const) {
      if (!services.isRunning(name)) await services.start(name);
    }
    const wanted = Array.from({ length: handlers }, (_, i) => i);
    await Promise.all(
      wanted
        .filter((i) => !services.isRunning('command-handler', i))
        .map((i) => services.start('command-handler', i)),
    );
    for (const i of services.handlerInstances()) if (i >= handlers) await services.stop('command-handler', i);
  };

  try {
    await services.prepare();
    observer = await startObserver(kafka, topology, codec, tally, io.log);
    await ensureServices(1);
    await clients.open(randomUUID().slice(0, 8));
    io.log(`stack up; ${run.clients} GraphQL clients have accounts; background load ${run.rate} commands/s`);

    for (const s of run.scenarios) {
      const t0 = Date.now();
      let figures: ScenarioResult['figures'];
      let outcome: ReconcileOutcome | undefined;
      let error: string | undefined;
      let endpointTimeoutCount: number | undefined;
      const faults: Fault[] = [];
      let step = 'starting';
      const window = { from: Date.now(), to: Number.POSITIVE_INFINITY };
      const ticker = setInterval(() => {
        const p = tally.progress(window);
        const last = tally.lastAnswerAt;
        io.progress(
          progressLine({
            scenario: s.name,
            elapsedSeconds: (Date.now() - t0) / 1000,
            step,
            sent: p.sent,
            answered: p.answered,
            clientRequests: clients.counters.requests,
            clientErrors: clients.counters.errors,
            sinceAnswerSeconds: last === undefined ? undefined : (Date.now() - last) / 1000,
          }),
        );
      }, PROGRESS_MS);
      try {
        if ((s.brokers ?? 1) > (run.brokers ?? 1))
          throw new Error(`${s.name} needs ${s.brokers} brokers, the stack has ${run.brokers ?? 1}`);
        await ensureServices(s.handlers);
        const timeoutsBefore = s.realAnswers ? await endpointTimedOut() : undefined;
        // Several instances share the partitions only after their rebalance; let it settle before timing.
        if (s.handlers > 1) await sleep(5_000);
        window.from = Date.now();
        await setLoad(run.rate);
        clients.start();
        for (const [i, st] of s.steps.entries()) {
          step = `step ${i + 1}/${s.steps.length} ${describeStep(st)}`;
          await runStep(st, s, faults, {
            windowFrom: window.from,
            services,
            settings,
            stackOptions,
            tally,
            kafka,
            topology,
            log: io.log,
          });
        }
        step = 'settling';
        window.to = Date.now();
        await setLoad(0);
        await clients.pause();
        await settle(tally, window);
        if (timeoutsBefore !== undefined) {
          const after = await endpointTimedOut();
          if (after !== undefined) endpointTimeoutCount = after - timeoutsBefore;
        }
        // Late duplicates would show after the last answer: look again once the bank has gone quiet.
        await sleep(2_000);
        figures = tally.summarise(window as Window, faults, s.recovery, Date.now());
      } catch (e) {
        error = errorText(e);
        await setLoad(0).catch(() => undefined);
        await clients.pause().catch(() => undefined);
      } finally {
        clearInterval(ticker);
      }
      try {
        // The reconciliation needs every consumer of the bank running (it waits for their offsets).
        await ensureServices(s.handlers);
        step = 'reconciling';
        const r = await reconcile(reconcileConfig, { wait: true });
        outcome = { ok: r.report.ok, lines: formatReport(r.report) };
      } catch (e) {
        outcome = { ok: false, lines: [`the reconciliation could not run: ${errorText(e)}`] };
      }
      const result: ScenarioResult = {
        name: s.name,
        title: s.title,
        kafkaClient: run.kafkaClient,
        seconds: (Date.now() - t0) / 1000,
        figures,
        reconcile: outcome,
        error,
        ...(s.realAnswers ? { realAnswers: true, endpointTimeouts: endpointTimeoutCount } : {}),
      };
      results.push(result);
      for (const line of formatScenario(result)) io.log(line);
    }
  } finally {
    await setLoad(0).catch(() => undefined);
    await clients.close().catch(() => undefined);
    await observer?.stop().catch(() => undefined);
    await services.stopAll();
    if (!run.keepStack) await down(settings, stackOptions);
  }
  return results;
}

function describeStep(st: Step): string {
  switch (st.kind) {
    case 'load':
      return `load ${st.seconds}s`;
    case 'caught-up':
      return 'load until every command older than a second is answered';
    case 'kill':
      return `SIGKILL ${st.service}#${st.instance}${st.restart ? ' and restart' : ''}`;
    case 'stop':
      return `stop ${st.service}#${st.instance}`;
    case 'pause-postgres':
      return `PostgreSQL paused ${st.seconds}s`;
    case 'restart-broker':
      return `restart kafka-${st.node}`;
    case 'restart-registry':
      return 'restart the schema registry';
    case 'lose-broker':
      return `SIGKILL a broker, down ${st.downSeconds}s, start it, wait until in sync`;
    case 'await-recovery':
      return 'waiting for the first answer';
  }
}

interface StepContext {
  /** When the scenario's load began. */
  readonly windowFrom: number;
  readonly services: Services;
  readonly settings: StackSettings;
  readonly stackOptions: { env: Env; log: (m: string) => void };
  readonly tally: Tally;
  readonly kafka: Kafka;
  readonly topology: Topology;
  readonly log: (line: string) => void;
}

async function pidOf(part: string, c: StepContext): Promise<number> {
  const row = (await status(c.settings, { env: c.stackOptions.env })).find((p) => p.name === part);
  if (row?.pid === undefined) throw new Error(`${part} is not running`);
  return row.pid;
}

/** Direct children of a process (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces: state, ppid, ...
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (ppid === String(pid)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function signalQuietly(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a part of the stack (SIGTERM, SIGKILL after the grace period) and starts it again through it. */
async function restartPart(
  part: string,
  c: StepContext,
  graceMs: number,
): Promise<{ at: number; returnAt: number; detail: string }> {
  const pid = await pidOf(part, c);
  const at = Date.now();
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  const killed = alive(pid);
  if (killed) process.kill(-pid, 'SIGKILL');
  while (alive(pid)) await sleep(100);
  const stopped = Date.now();
  await up(c.settings, { ...c.stackOptions, only: [part] });
  const returnAt = Date.now();
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return {
    at,
    returnAt,
    detail: `stopped in ${s(stopped - at)} s${killed ? ' (SIGKILL after the grace period)' : ''}, healthy again ${s(returnAt - stopped)} s later`,
  };
}

async function runStep(st: Step, s: Scenario, faults: Fault[], c: StepContext): Promise<void> {
  const n = faults.length + 1;
  switch (st.kind) {
    case 'load':
      await sleep(st.seconds * 1000);
      return;
    case 'caught-up': {
      const started = Date.now();
      const deadline = started + st.maxSeconds * 1000;
      while (c.tally.unanswered(c.windowFrom, Date.now() - CAUGHT_UP_MS) > 0) {
        if (Date.now() >= deadline) {
          c.log(`  the bank had not caught up with the load after ${st.maxSeconds} s; going on`);
          return;
        }
        await sleep(250);
      }
      c.log(`  the bank keeps up with the load (after ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return;
    }
    case 'kill': {
      const at = Date.now();
      await c.services.kill(st.service, st.instance);
      const returnAt = st.restart ? await c.services.start(st.service, st.instance) : Date.now();
      faults.push({ label: `#${n} SIGKILL ${st.service}#${st.instance}`, at, returnAt });
      return;
    }
    case 'stop': {
      const at = Date.now();
      await c.services.stop(st.service, st.instance);
      faults.push({ label: `#${n} stop ${st.service}#${st.instance}`, at, returnAt: Date.now() });
      return;
    }
    case 'pause-postgres': {
      // The postmaster first (so it forks no new backend), then every process it started: each backend is a
      // session leader of its own, so signalling the postmaster's group would leave them running.
      const pid = await pidOf('postgres', c);
      const at = Date.now();
      process.kill(pid, 'SIGSTOP');
      const paused = [pid, ...childrenOf(pid)];
      try {
        for (const p of paused.slice(1)) signalQuietly(p, 'SIGSTOP');
        await sleep(st.seconds * 1000);
      } finally {
        for (const p of paused.reverse()) signalQuietly(p, 'SIGCONT');
      }
      faults.push({ label: `#${n} PostgreSQL paused ${st.seconds}s`, at, returnAt: Date.now() });
      return;
    }
    case 'restart-broker': {
      const { detail, ...t } = await restartPart(`kafka-${st.node}`, c, 20_000);
      faults.push({ label: `#${n} kafka-${st.node} restarted (${detail})`, ...t });
      return;
    }
    case 'restart-registry': {
      const { detail, ...t } = await restartPart('schema-registry', c, 10_000);
      faults.push({ label: `#${n} schema registry restarted (${detail})`, ...t });
      return;
    }
    case 'lose-broker': {
      const s1 = (ms: number) => (ms / 1000).toFixed(1);
      const roles = brokerRoles(await clusterTopics(c.kafka), bankTopicNames(c.topology));
      const node = pickVictim(roles, 2);
      const part = `kafka-${node}`;
      const pid = await pidOf(part, c);
      c.log(`  losing ${part}: ${describeRoles(node, roles)}`);
      const at = Date.now();
      process.kill(-pid, 'SIGKILL');
      while (alive(pid)) await sleep(50);
      faults.push({ label: `#${n} ${part} SIGKILLed (${describeRoles(node, roles)})`, at, returnAt: at });
      await sleep(Math.max(0, at + st.downSeconds * 1000 - Date.now()));
      const startAt = Date.now();
      await up(c.settings, { ...c.stackOptions, only: [part] });
      const healthyAt = Date.now();
      const sync = await awaitInSync(c.kafka, st.syncTimeoutSeconds * 1000);
      if (sync.at === undefined)
        throw new Error(
          `${part} not in sync ${st.syncTimeoutSeconds} s after its return: ${sync.underReplicated} partitions under-replicated`,
        );
      faults.push({
        label: `#${n + 1} ${part} started again after ${s1(startAt - at)} s down (healthy in ${s1(healthyAt - startAt)} s, every partition in sync ${s1(sync.at - healthyAt)} s later)`,
        at: startAt,
        returnAt: healthyAt,
      });
      return;
    }
    case 'await-recovery': {
      const last = faults.at(-1);
      if (!last) return;
      const deadline = Date.now() + st.timeoutSeconds * 1000;
      while (
        c.tally.firstAnswerAfter(last.returnAt, s.recovery, last.at) === undefined &&
        Date.now() < deadline
      )
        await sleep(250);
      return;
    }
  }
}

/** A command unanswered for longer than this is behind: the `caught-up` step waits until there is none. */
const CAUGHT_UP_MS = 1_000;

/** Waits until every command of the window has an answer, or SETTLE_MS passed. */
async function settle(tally: Tally, window: Window): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const p = tally.progress(window);
    if (p.answered === p.sent || Date.now() > deadline) return;
    await sleep(500);
  }
}
