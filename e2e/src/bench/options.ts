import { type RampOptions, rampProblems } from './ramp.ts';
import { runNameProblem } from './run-file.ts';

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
  /** Resources, heartbeat counter and lag are recorded on every this-many-th row. */
  readonly resourceEvery: number;
  readonly smoke: boolean;
}

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
};

/** About a minute: 40 loops, the load rising every 10 loops, two rows with resource figures. */
export const SMOKE_DEFAULTS: BenchOptions = {
  ...FULL_DEFAULTS,
  name: 'smoke',
  cycleLoops: 10,
  maxLoops: 40,
  smoke: true,
};

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
} as const satisfies Record<string, keyof BenchOptions>;

/**
 * Options from the parsed command line (strings as given), over the full or smoke defaults. Throws nothing:
 * answers the options or every problem found.
 */
export function resolveOptions(
  given: Readonly<Record<string, string | boolean | undefined>>,
): { ok: true; options: BenchOptions } | { ok: false; problems: string[] } {
  const base = given.smoke === true ? SMOKE_DEFAULTS : FULL_DEFAULTS;
  const problems: string[] = [];
  const out: Record<string, unknown> = { ...base };
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
  const options = out as unknown as BenchOptions;
  problems.push(...rampProblems(options));
  if (options.resourceEvery < 2) problems.push('--resource-every: must be ≥ 2 (CPU needs two samples)');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, options };
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
