import { KAFKA_CLIENTS, type KafkaClientName } from '@open-bank/stack';
import { loadAt, type RampOptions, rampProblems } from './ramp.ts';
import { runNameProblem } from './run-file.ts';

/** A ramp raises the load step by step; a steady run holds each of a list of loads for a number of loops. */
export type BenchMode = 'ramp' | 'steady';

/** Everything a run can be told; the header of its result file records these. */
export interface BenchOptions extends RampOptions {
  readonly name: string;
  /** A loop starts at least this long after the previous one started. */
  readonly loopMs: number;
  /** An interaction slower than this is a time-out. */
  readonly timeoutMs: number;
  /** This many time-outs end the run. */
  readonly maxTimeouts: number;
  readonly maxLoops: number;
  /** Resources, heartbeat counter, lag and hop figures are recorded on every this-many-th row. */
  readonly resourceEvery: number;
  readonly smoke: boolean;
  readonly mode: BenchMode;
  /** Which named settings the run started from (`default`, `original`, `until-saturated`, `smoke`, `steady`). */
  readonly preset: string;
  /** Steady mode: the loads held, in messages/s, in this order. */
  readonly steadyLoads: readonly number[];
  /** Steady mode: interactions at each load. */
  readonly perLoad: number;
  /** Steady mode: pause after changing the load before the next interaction, so the bank settles. */
  readonly settleMs: number;
  /** The stack's Kafka client, passed to a stack the benchmark starts as `KAFKA_CLIENT`. */
  readonly kafkaClient: KafkaClientName;
  /** Kafka brokers of a stack the benchmark starts; undefined: as the stack has it. */
  readonly brokers: 1 | 3 | undefined;
  /**
   * Seconds of warm-up before the first recorded loop: WARMUP_LOAD in the background and an unrecorded
   * deposit a loop, so a run that starts on a fresh stack does not time its first load on cold services
   * (code not yet optimised by the JIT, empty caches, connections still opening).
   */
  readonly warmupSeconds: number;
}

/** The background load of the warm-up, in messages/s. */
export const WARMUP_LOAD = 1_000;
/** The warm-up of a steady run unless `--warmup` says otherwise; ramps have none, like the original's. */
export const STEADY_WARMUP_SECONDS = 30;

/**
 * Defaults that end a full run on a 2-core machine within 15 minutes: 750 loops of at least 1 s, the load
 * rising by 50 messages/s every 25 loops (so 1000 messages/s from loop 501, 1450 at the last), unless three
 * interactions take over 5 s first.
 */
export const FULL_DEFAULTS: BenchOptions = {
  name: 'kafkajs',
  loopMs: 1_000,
  stepPerSecond: 50,
  cycleLoops: 25,
  intervalMs: 100,
  timeoutMs: 5_000,
  maxTimeouts: 3,
  maxLoops: 750,
  resourceEvery: 20,
  smoke: false,
  mode: 'ramp',
  preset: 'default',
  steadyLoads: [],
  perLoad: 100,
  settleMs: 5_000,
  kafkaClient: 'kafkajs',
  brokers: undefined,
  warmupSeconds: 0,
};

/** About a minute: 40 loops, the load rising every 10 loops, two rows with resource figures. */
export const SMOKE_DEFAULTS: BenchOptions = {
  ...FULL_DEFAULTS,
  name: 'smoke',
  cycleLoops: 10,
  maxLoops: 40,
  smoke: true,
  preset: 'smoke',
};

/** Ramps by name (`--preset`); a number given on the command line still wins. */
export const PRESETS = {
  default: {},
  /** The original's ramp: +10 messages/s every 40 loops, for 20 minutes at the minimum loop time. */
  original: { stepPerSecond: 10, cycleLoops: 40, maxLoops: 1_200 },
  /**
   * Steep enough that time-outs, not the loop limit, end the run within about 20 minutes: +250 messages/s
   * every 20 loops reaches 10 000 messages/s at loop 801 and 14 750 at the limit of 1200.
   */
  'until-saturated': { stepPerSecond: 250, cycleLoops: 20, maxLoops: 1_200 },
} as const satisfies Record<string, Partial<BenchOptions>>;
export type PresetName = keyof typeof PRESETS;

/** The loads a steady run holds when `--steady` names none (SPEC targets are given at these). */
export const DEFAULT_STEADY_LOADS = [0, 100, 1_000, 2_000, 5_000] as const;

/** `--smoke --steady`: two loads, a few loops each, a resource row at the end of each load. */
export const SMOKE_STEADY = { steadyLoads: [0, 100], perLoad: 5, resourceEvery: 5, settleMs: 1_000 } as const;

/** Command-line option → field, for the numeric options. */
export const NUMERIC_OPTIONS = {
  'loop-ms': 'loopMs',
  step: 'stepPerSecond',
  cycle: 'cycleLoops',
  'interval-ms': 'intervalMs',
  'timeout-ms': 'timeoutMs',
  'max-timeouts': 'maxTimeouts',
  'max-loops': 'maxLoops',
  'resource-every': 'resourceEvery',
  'per-load': 'perLoad',
} as const satisfies Record<string, keyof BenchOptions>;

/** `--steady` may stand alone (the default loads): give it the value `default` so a parser accepts it. */
export function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    out.push(a);
    const next = argv[i + 1];
    if (a === '--steady' && (next === undefined || next.startsWith('-'))) out.push('default');
  });
  return out;
}

function parseLoads(raw: string, problems: string[]): number[] {
  if (raw === 'default') return [...DEFAULT_STEADY_LOADS];
  const loads = raw.split(',').map((s) => Number(s.trim()));
  if (loads.length === 0 || loads.some((n) => !Number.isInteger(n) || n < 0)) {
    problems.push(`--steady: want loads in messages/s like 0,100,1000, got '${raw}'`);
    return [];
  }
  return loads;
}

/**
 * Options from the parsed command line (strings as given), over the full or smoke defaults, a preset or
 * the steady mode. Throws nothing: answers the options or every problem found.
 */
export function resolveOptions(
  given: Readonly<Record<string, string | boolean | undefined>>,
): { ok: true; options: BenchOptions } | { ok: false; problems: string[] } {
  const smoke = given.smoke === true;
  const problems: string[] = [];
  const out: Record<string, unknown> = { ...(smoke ? SMOKE_DEFAULTS : FULL_DEFAULTS) };

  const presetName =
    given['until-saturated'] === true
      ? 'until-saturated'
      : typeof given.preset === 'string'
        ? given.preset
        : undefined;
  if (given['until-saturated'] === true && typeof given.preset === 'string')
    problems.push('--until-saturated is a preset: give it or --preset, not both');
  const steady = typeof given.steady === 'string' ? given.steady : undefined;
  if (presetName !== undefined) {
    if (!(presetName in PRESETS))
      problems.push(`--preset: one of ${Object.keys(PRESETS).join(', ')}, got '${presetName}'`);
    else if (smoke) problems.push('--smoke has its own short ramp: drop --preset / --until-saturated');
    else if (steady !== undefined) problems.push('--steady holds loads; a ramp preset does not apply');
    else Object.assign(out, PRESETS[presetName as PresetName], { preset: presetName });
  }
  if (steady !== undefined) {
    Object.assign(
      out,
      { mode: 'steady', preset: smoke ? 'smoke-steady' : 'steady' },
      smoke ? SMOKE_STEADY : { warmupSeconds: STEADY_WARMUP_SECONDS },
    );
    if (steady !== 'default' || !smoke) out.steadyLoads = parseLoads(steady, problems);
    for (const f of ['step', 'cycle', 'max-loops'])
      if (given[f] !== undefined)
        problems.push(`--${f} is for ramps; --steady runs --per-load loops per load`);
  } else if (given['per-load'] !== undefined || given['settle-ms'] !== undefined) {
    problems.push('--per-load and --settle-ms go with --steady');
  }

  if (typeof given.name === 'string') {
    const p = runNameProblem(given.name);
    if (p) problems.push(`--name: ${p}`);
    out.name = given.name;
  }
  for (const [flag, field] of Object.entries(NUMERIC_OPTIONS)) {
    const raw = given[flag];
    if (raw === undefined || typeof raw === 'boolean') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) problems.push(`--${flag}: must be a whole number ≥ 1, got '${raw}'`);
    else out[field] = n;
  }
  const warmup = given.warmup;
  if (typeof warmup === 'string') {
    const n = Number(warmup);
    if (!Number.isInteger(n) || n < 0)
      problems.push(`--warmup: seconds, a whole number ≥ 0, got '${warmup}'`);
    else out.warmupSeconds = n;
  }
  const settle = given['settle-ms'];
  if (typeof settle === 'string') {
    const n = Number(settle);
    if (!Number.isInteger(n) || n < 0)
      problems.push(`--settle-ms: must be a whole number ≥ 0, got '${settle}'`);
    else out.settleMs = n;
  }
  const client = given['kafka-client'];
  if (typeof client === 'string') {
    if (!(KAFKA_CLIENTS as readonly string[]).includes(client))
      problems.push(`--kafka-client: one of ${KAFKA_CLIENTS.join(', ')}, got '${client}'`);
    else out.kafkaClient = client;
  }
  const brokers = given.brokers;
  if (typeof brokers === 'string') {
    if (brokers !== '1' && brokers !== '3') problems.push(`--brokers: 1 or 3, got '${brokers}'`);
    else out.brokers = Number(brokers);
  }

  const options = out as unknown as BenchOptions;
  if (options.mode === 'steady') {
    out.maxLoops = options.steadyLoads.length * options.perLoad;
    const perTick = 1000 / options.intervalMs;
    for (const load of options.steadyLoads) {
      if (!Number.isInteger((load * options.intervalMs) / 1000))
        problems.push(
          `--steady: load ${load}/s is not a whole number of beats per tick (a multiple of ${perTick}/s)`,
        );
    }
    if (options.perLoad % options.resourceEvery !== 0)
      problems.push(
        `--per-load ${options.perLoad} must be a multiple of --resource-every ${options.resourceEvery}, so that each resource row covers one load`,
      );
  } else {
    problems.push(...rampProblems(options));
  }
  if (options.resourceEvery < 2) problems.push('--resource-every: must be ≥ 2 (CPU needs two samples)');
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, options: out as unknown as BenchOptions };
}

/** The additional load (messages/s) of loop `loop` (counting from 1): the ramp's step or the steady load. */
export function scheduledLoad(loop: number, o: BenchOptions): number {
  if (o.mode === 'ramp') return loadAt(loop, o);
  const i = Math.min(Math.floor((Math.max(loop, 1) - 1) / o.perLoad), o.steadyLoads.length - 1);
  return o.steadyLoads[i] ?? 0;
}

/** The one line a run shows while it goes, rewritten in place on a terminal. */
export function progressLine(p: {
  loop: number;
  maxLoops: number;
  load: number;
  lastMs: number | undefined;
  timeouts: number;
  maxTimeouts: number;
}): string {
  const last = p.lastMs === undefined ? '–' : `${p.lastMs} ms`;
  return `loop ${p.loop}/${p.maxLoops}  load ${p.load} msg/s  last ${last}  time-outs ${p.timeouts}/${p.maxTimeouts}`;
}
