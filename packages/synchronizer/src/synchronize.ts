import {
  awaitLeaders,
  createKafka,
  plannedTopics,
  RegistryClient,
  schemaText,
  topologyOf,
} from '@open-bank/topology';
import { type Admin, type logCreator, logLevel } from 'kafkajs';
import { applyAction, readClusterState } from './cluster.ts';
import type { SynchronizerConfig } from './config.ts';
import { ClusterReadError } from './errors.ts';
import { describeAction, formatPlan, plural } from './format.ts';
import { type Action, type Plan, type PlanOptions, planSync } from './plan.ts';
import { type Clock, realClock, waitUntilReady } from './wait.ts';

export interface SynchronizeOptions {
  readonly config: SynchronizerConfig;
  /** Plan and print only; change nothing. */
  readonly dryRun?: boolean;
  /** Delete topics that are not in the topology (default true, as the SPEC asks). */
  readonly deleteUnknown?: boolean;
  /** Narrows which unknown topics may be deleted (see PlanOptions.deletable). */
  readonly deletable?: (topic: string) => boolean;
  readonly log?: (line: string) => void;
  /** Where the Kafka client's own warnings and errors go; defaults to `log`. */
  readonly warn?: (line: string) => void;
  readonly clock?: Clock;
  /** How long to wait for applied changes to show in the cluster's metadata before calling it drift. */
  readonly settleMs?: number;
}

export interface ActionOutcome {
  readonly action: Action;
  readonly ok: boolean;
  readonly message: string;
}

export interface SyncResult {
  readonly plan: Plan;
  readonly dryRun: boolean;
  readonly outcomes: readonly ActionOutcome[];
  readonly failures: readonly ActionOutcome[];
  /** After applying: what a fresh plan still wants to do (empty when the run converged). */
  readonly remaining: readonly Action[];
}

// Kinds run one after another, actions of a kind side by side.
const PHASES: readonly Action['kind'][] = [
  'create-topic',
  'add-partitions',
  'alter-configs',
  'register-schema',
  'delete-topic',
];

/** The Kafka client's warnings as plain lines, instead of its default JSON on the console. */
function kafkaLogger(warn: (line: string) => void): logCreator {
  return () =>
    ({ level, log }) => {
      const error = typeof log.error === 'string' ? ` (${log.error})` : '';
      warn(`kafka client ${level === logLevel.ERROR ? 'error' : 'warning'}: ${log.message}${error}`);
    };
}

async function probeBroker(config: SynchronizerConfig): Promise<number> {
  // A client of its own without retries or logging: the wait loop does the retrying and says why.
  const kafka = createKafka(
    { brokers: config.brokers, clientId: config.clientId },
    { retry: { retries: 0 }, logLevel: logLevel.NOTHING, connectionTimeout: 2_000, requestTimeout: 5_000 },
  );
  const admin = kafka.admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function createdPartitions(
  batch: readonly Action[],
  settled: readonly PromiseSettledResult<string>[],
): Map<string, number> {
  const out = new Map<string, number>();
  batch.forEach((a, i) => {
    if (a.kind === 'create-topic' && settled[i]?.status === 'fulfilled') out.set(a.topic, a.partitions);
  });
  return out;
}

async function applyAll(
  admin: Admin,
  registry: RegistryClient,
  actions: readonly Action[],
  log: (line: string) => void,
): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  for (const phase of PHASES) {
    const batch = actions.filter((a) => a.kind === phase);
    const settled = await Promise.allSettled(batch.map((a) => applyAction(admin, registry, a)));
    const leaderless = new Set(
      phase === 'create-topic' ? await awaitLeaders(admin, createdPartitions(batch, settled), 30_000) : [],
    );
    settled.forEach((s, i) => {
      const action = batch[i] as Action;
      const outcome =
        s.status === 'rejected'
          ? { action, ok: false, message: s.reason instanceof Error ? s.reason.message : String(s.reason) }
          : action.kind === 'create-topic' && leaderless.has(action.topic)
            ? { action, ok: false, message: `${s.value}, but its partitions got no leader within 30s` }
            : { action, ok: true, message: s.value };
      log(outcome.ok ? `  done: ${outcome.message}` : `  FAILED: ${outcome.message}`);
      outcomes.push(outcome);
    });
  }
  return outcomes;
}

/**
 * Makes the cluster and registry match the topology of `config`: waits for both, reads their state, plans,
 * prints the plan, applies it (unless dry run) and checks that a fresh plan is then empty.
 * Throws when the broker or registry cannot be reached or read; failed actions are returned, not thrown.
 */
export async function synchronize(options: SynchronizeOptions): Promise<SyncResult> {
  const { config } = options;
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? realClock;
  const dryRun = options.dryRun ?? false;
  const planOptions = {
    deleteUnknown: options.deleteUnknown ?? true,
    ...(options.deletable ? { deletable: options.deletable } : {}),
  };
  const desired = plannedTopics(topologyOf(config));
  const wanted = {
    topics: new Set(desired.map((t) => t.name)),
    schemas: new Map(
      desired.flatMap((t) =>
        t.subject === undefined || t.schema === undefined ? [] : [[t.subject, schemaText(t.schema)] as const],
      ),
    ),
  };

  const deadline = clock.now() + config.waitSeconds * 1000;
  const waitOptions = { deadline, budgetSeconds: config.waitSeconds, log, clock };
  const brokers = await waitUntilReady(
    `Kafka broker at ${config.brokers.join(',')}`,
    () => probeBroker(config),
    waitOptions,
  );
  log(`Kafka is up: ${plural(brokers, 'live broker')}`);
  const registry = new RegistryClient(config.schemaRegistryUrl);
  await waitUntilReady(
    `schema registry at ${config.schemaRegistryUrl}`,
    () => registry.listSubjects(),
    waitOptions,
  );
  log('schema registry is up');

  const admin = createKafka(
    { brokers: config.brokers, clientId: config.clientId },
    { logCreator: kafkaLogger(options.warn ?? log) },
  ).admin();
  try {
    await admin.connect();
  } catch (e) {
    throw new ClusterReadError(
      `connecting to Kafka failed: ${e instanceof Error ? e.message : String(e)}`,
      e,
    );
  }
  try {
    const readState = () => readClusterState(admin, registry, wanted);
    const plan = planSync(desired, await readState(), planOptions);
    for (const line of formatPlan(plan)) log(line);
    if (dryRun || plan.actions.length === 0) {
      if (dryRun && plan.actions.length > 0) log('dry run: nothing was changed');
      return { plan, dryRun, outcomes: [], failures: [], remaining: plan.actions };
    }

    const started = clock.now();
    log('applying:');
    const outcomes = await applyAll(admin, registry, plan.actions, log);
    const failures = outcomes.filter((o) => !o.ok);
    const remaining =
      failures.length > 0 ? [] : await settle(readState, desired, planOptions, options, clock);
    for (const a of remaining) log(`  still out of sync after applying: ${describeAction(a)}`);
    const seconds = ((clock.now() - started) / 1000).toFixed(1);
    log(
      failures.length > 0
        ? `result: ${failures.length} of ${outcomes.length} changes failed (${seconds}s)`
        : remaining.length > 0
          ? `result: applied ${plural(outcomes.length, 'change')}, but ${remaining.length} still differ (${seconds}s)`
          : `result: applied ${plural(outcomes.length, 'change')}, now in sync${
              plan.findings.length > 0
                ? ` apart from the ${plural(plan.findings.length, 'warning')} above`
                : ''
            } (${seconds}s)`,
    );
    return { plan, dryRun, outcomes, failures, remaining };
  } finally {
    await admin.disconnect();
  }
}

/** Re-plans until the applied changes show up in the metadata, so a run only ends in sync when it is. */
async function settle(
  readState: () => ReturnType<typeof readClusterState>,
  desired: ReturnType<typeof plannedTopics>,
  planOptions: PlanOptions,
  options: SynchronizeOptions,
  clock: Clock,
): Promise<readonly Action[]> {
  const until = clock.now() + (options.settleMs ?? 10_000);
  for (;;) {
    const again = planSync(desired, await readState(), planOptions);
    if (again.actions.length === 0 || clock.now() >= until) return again.actions;
    await clock.sleep(250);
  }
}
