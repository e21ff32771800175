import type {
  BenchCategory,
  BenchPoint,
  BenchReport,
  BenchRunInfo,
  BenchSetup,
  BenchSummary,
  PagePart,
} from '@open-bank/frontend';
import { categorize } from './glob.ts';
import { type HopHistograms, mergedHopFigures } from './hops.ts';
import { maxLoadReached, type PageParts, type ParsedRun, type RunRow } from './run-file.ts';
import { baseName, type GroupField, groupLabel, runSetupOf } from './run-setup.ts';
import { type Quantiles, quantiles, summarize, summarizeBy } from './stats.ts';

/** Components in the order charts and tables list them; others follow alphabetically. */
export const COMPONENT_ORDER = [
  'kafka',
  'kafka-1',
  'kafka-2',
  'kafka-3',
  'postgres',
  'schema-registry',
  'heartbeat',
  'command-generator',
  'command-handler',
  'graphql-endpoint',
  'frontend',
  'browser',
];

export function orderComponents(names: Iterable<string>): string[] {
  const rank = (n: string) => {
    const i = COMPONENT_ORDER.indexOf(n);
    return i < 0 ? COMPONENT_ORDER.length : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const MIB = 1024 * 1024;

const diff = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined ? undefined : a - b;

/** How each of the page's parts is read from a row's page timing. */
const PAGE_PART_OF: Record<PagePart, (p: PageParts) => number | undefined> = {
  clickToSent: (p) => p.sentMs ?? undefined,
  pushToRendered: (p) => diff(p.renderedMs, p.pushMs),
  clickToAnswer: (p) => p.answerMs ?? undefined,
  clickToPush: (p) => p.pushMs ?? undefined,
};

const r2 = (n: number) => Math.round(n * 100) / 100;
const rounded = (q: Quantiles | undefined): Quantiles | undefined =>
  q && { p50: r2(q.p50), p90: r2(q.p90), p99: r2(q.p99) };

/** The figures only some rows carry (in-page time, page parts, hops), for one load's rows. */
function newFigures(group: readonly RunRow[]): Partial<BenchPoint> {
  const out: {
    -readonly [K in keyof BenchPoint]?: BenchPoint[K];
  } = {};
  const driver = rounded(quantiles(group.map((r) => r.ms)));
  if (driver) out.latencyQuantiles = driver;
  const inPage = group.flatMap((r) => (typeof r.inPageMs === 'number' ? [r.inPageMs] : []));
  const inPageSummary = summarize(inPage);
  const inPageQuantiles = rounded(quantiles(inPage));
  if (inPageSummary && inPageQuantiles) {
    out.inPageMs = inPageSummary;
    out.inPageQuantiles = inPageQuantiles;
  }
  const page: NonNullable<BenchPoint['page']> = {};
  for (const [part, get] of Object.entries(PAGE_PART_OF) as [
    PagePart,
    (p: PageParts) => number | undefined,
  ][]) {
    const xs = group.flatMap((r) => {
      const v = r.page ? get(r.page) : undefined;
      return v === undefined ? [] : [v];
    });
    const s = summarize(xs);
    const q = quantiles(xs);
    if (s && q) (page as Record<string, unknown>)[part] = { ...s, p50: q.p50 };
  }
  if (Object.keys(page).length > 0) out.page = page;
  const histograms = group.flatMap((r) => (r.hopHistograms ? [r.hopHistograms as HopHistograms] : []));
  // Rows with hop fields but no observations yet still say the run looked: an empty record, not none.
  if (group.some((r) => r.hops !== undefined)) out.hops = mergedHopFigures(histograms);
  return out;
}

/** The category's rows grouped by additional load, with every figure summarised. */
export function pointsOf(rows: readonly RunRow[], components: readonly string[]): BenchPoint[] {
  const figures: Record<string, (r: RunRow) => number | undefined> = {
    latency: (r) => r.ms,
    timeout: (r) => (r.timedOut ? 1 : 0),
  };
  for (const c of components) {
    figures[`cpu:${c}`] = (r) => r.resources?.[c]?.cpu;
    figures[`mem:${c}`] = (r) => {
      const b = r.resources?.[c]?.rssBytes;
      return b === undefined ? undefined : b / MIB;
    };
  }
  const lagNames = new Set(rows.flatMap((r) => Object.keys(r.lag ?? {})));
  for (const l of lagNames) figures[`lag:${l}`] = (r) => r.lag?.[l];
  const byLoad = new Map<number, RunRow[]>();
  for (const r of rows) byLoad.set(r.load, [...(byLoad.get(r.load) ?? []), r]);
  return summarizeBy(rows, (r) => r.load, figures).map((g) => {
    const pick = (prefix: string, names: Iterable<string>) => {
      const out: Record<string, BenchSummary> = {};
      for (const n of names) {
        const s = g.figures[`${prefix}:${n}`];
        if (s) out[n] = s;
      }
      return out;
    };
    const latency = g.figures.latency as BenchSummary;
    return {
      load: g.key,
      rows: g.rows,
      latencyMs: latency,
      ...newFigures(byLoad.get(g.key) ?? []),
      timeouts: Math.round((g.figures.timeout?.mean ?? 0) * g.rows),
      cpu: pick('cpu', components),
      memoryMiB: pick('mem', components),
      lag: pick('lag', lagNames),
    };
  });
}

/** Without a mapping: one category per run name (the file name before its date-time). */
export function defaultCategories(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[baseName(n)] = `${baseName(n)}-*`;
  return out;
}

/**
 * Run names by category: by run-name patterns, each category split by what its runs ran on when `groupBy`
 * names fields (`kafkajs · 3 brokers`). With fields and no patterns, the fields alone make the categories.
 */
export function groupRuns(
  runs: readonly ParsedRun[],
  mapping: Readonly<Record<string, string | readonly string[]>> | undefined,
  groupBy: readonly GroupField[] = [],
): Map<string, string[]> {
  const names = runs.map((r) => r.name);
  const byPattern =
    mapping === undefined && groupBy.length > 0
      ? new Map([['', names]])
      : categorize(names, mapping ?? defaultCategories(names));
  if (groupBy.length === 0) return byPattern;
  const byName = new Map(runs.map((r) => [r.name, r]));
  const out = new Map<string, string[]>();
  for (const [category, members] of byPattern) {
    for (const name of members) {
      const run = byName.get(name);
      if (!run) continue;
      const label = groupLabel(name, runSetupOf(run.header), groupBy);
      const key = category === '' ? label : `${category} · ${label}`;
      out.set(key, [...(out.get(key) ?? []), name]);
    }
  }
  return out;
}

function setupOf(members: readonly ParsedRun[]): BenchSetup | undefined {
  if (members.length === 0) return undefined;
  const setups = members.map((r) => runSetupOf(r.header));
  const one = (values: (string | number | undefined)[]) => {
    const distinct = [...new Set(values.map((v) => (v === undefined ? '?' : String(v))))];
    return distinct.length === 1 ? (distinct[0] as string) : 'mixed';
  };
  return {
    kafkaClient: one(setups.map((s) => s.kafkaClient)),
    brokers: one(setups.map((s) => s.brokers)),
    mode: one(setups.map((s) => s.mode)),
    preset: one(setups.map((s) => s.preset)),
  };
}

/**
 * Groups runs into categories by run-name patterns (`{"kafkajs": "kafkajs-*"}`) and, with `groupBy`, by what
 * they ran on (see groupRuns), and summarises each category's rows by additional load.
 */
export function buildReport(
  runs: readonly ParsedRun[],
  mapping: Readonly<Record<string, string | readonly string[]>> | undefined,
  now: Date,
  groupBy: readonly GroupField[] = [],
): BenchReport {
  const byName = new Map(runs.map((r) => [r.name, r]));
  const groups = groupRuns(runs, mapping, groupBy);
  const components = orderComponents(
    runs.flatMap((r) => r.rows.flatMap((row) => Object.keys(row.resources ?? {}))),
  );
  const infos: BenchRunInfo[] = [];
  const categories: BenchCategory[] = [];
  for (const [category, names] of groups) {
    const members = names.map((n) => byName.get(n)).filter((r): r is ParsedRun => r !== undefined);
    for (const r of members) {
      const m = r.header.machine;
      const setup = runSetupOf(r.header);
      infos.push({
        name: r.name,
        category,
        startedAt: r.header.startedAt,
        commit: r.header.git.commit,
        machine: `${m.cpus} × ${m.cpuModel}, ${Math.round(m.memoryBytes / 1024 ** 3)} GiB`,
        loops: r.rows.length,
        timeouts: r.rows.filter((row) => row.timedOut).length,
        maxLoad: maxLoadReached(r),
        kafkaClient: setup.kafkaClient,
        ...(setup.brokers === undefined ? {} : { brokers: setup.brokers }),
        mode: setup.mode,
        preset: setup.preset,
        ...(r.end ? { endReason: r.end.reason } : {}),
        ...handlerStart(r),
      });
    }
    const setup = setupOf(members);
    categories.push({
      name: category,
      runs: members.map((r) => r.name),
      maxLoad: summarize(members.map(maxLoadReached)),
      points: pointsOf(
        members.flatMap((r) => r.rows),
        components,
      ),
      ...(setup ? { setup } : {}),
    });
  }
  return { generatedAt: now.toISOString(), components, runs: infos, categories };
}

function handlerStart(r: ParsedRun): Pick<BenchRunInfo, 'handlerStartMs'> {
  const s = r.header.startup?.['command-handler'];
  if (!s) return {};
  return {
    handlerStartMs: {
      serving: Math.round(s.servingMs),
      ...(s.joinedMs === undefined ? {} : { joined: Math.round(s.joinedMs) }),
    },
  };
}

/** Parses the `--categories` option: a JSON object of category → pattern or list of patterns. */
export function parseCategories(json: string): Record<string, string | string[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error(`categories must be JSON like {"kafkajs": "kafkajs-*"}, got ${json}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0)
    throw new Error('categories must be a non-empty JSON object of category → pattern(s)');
  for (const [k, v] of Object.entries(raw)) {
    const ok = typeof v === 'string' || (Array.isArray(v) && v.every((p) => typeof p === 'string'));
    if (!ok) throw new Error(`category ${k}: give a pattern or a list of patterns`);
  }
  return raw as Record<string, string | string[]>;
}
