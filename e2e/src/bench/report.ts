import type { BenchCategory, BenchPoint, BenchReport, BenchRunInfo, BenchSummary } from '@open-bank/frontend';
import { categorize } from './glob.ts';
import { maxLoadReached, type ParsedRun, type RunRow } from './run-file.ts';
import { summarize, summarizeBy } from './stats.ts';

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
      timeouts: Math.round((g.figures.timeout?.mean ?? 0) * g.rows),
      cpu: pick('cpu', components),
      memoryMiB: pick('mem', components),
      lag: pick('lag', lagNames),
    };
  });
}

/**
 * Groups runs into categories by run-name patterns (`{"kafkajs": "kafkajs-*"}`) and summarises each
 * category's rows by additional load.
 */
export function buildReport(
  runs: readonly ParsedRun[],
  mapping: Readonly<Record<string, string | readonly string[]>>,
  now: Date,
): BenchReport {
  const byName = new Map(runs.map((r) => [r.name, r]));
  const groups = categorize(
    runs.map((r) => r.name),
    mapping,
  );
  const components = orderComponents(
    runs.flatMap((r) => r.rows.flatMap((row) => Object.keys(row.resources ?? {}))),
  );
  const infos: BenchRunInfo[] = [];
  const categories: BenchCategory[] = [];
  for (const [category, names] of groups) {
    const members = names.map((n) => byName.get(n)).filter((r): r is ParsedRun => r !== undefined);
    for (const r of members) {
      const m = r.header.machine;
      infos.push({
        name: r.name,
        category,
        startedAt: r.header.startedAt,
        commit: r.header.git.commit,
        machine: `${m.cpus} × ${m.cpuModel}, ${Math.round(m.memoryBytes / 1024 ** 3)} GiB`,
        loops: r.rows.length,
        timeouts: r.rows.filter((row) => row.timedOut).length,
        maxLoad: maxLoadReached(r),
      });
    }
    categories.push({
      name: category,
      runs: members.map((r) => r.name),
      maxLoad: summarize(members.map(maxLoadReached)),
      points: pointsOf(
        members.flatMap((r) => r.rows),
        components,
      ),
    });
  }
  return { generatedAt: now.toISOString(), components, runs: infos, categories };
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
