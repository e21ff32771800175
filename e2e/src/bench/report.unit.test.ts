import { HOP_PATH } from '@open-bank/contract';
import { benchChartSpecs, latencyTable, unmeasuredMs } from '@open-bank/frontend';
import { describe, expect, it } from 'vitest';
import { header, row } from '../testing/bench-fixtures.ts';
import { buildReport, groupRuns, orderComponents, parseCategories } from './report.ts';
import { renderReportHtml } from './report-html.ts';
import { parseRunFile, type RunRecord } from './run-file.ts';

const MIB = 1024 * 1024;
const file = (name: string, records: RunRecord[]) =>
  parseRunFile(`${name}.jsonl`, records.map((r) => `${JSON.stringify(r)}\n`).join(''));

const runA = file('kafkajs-2026-01-01T00-00-00Z', [
  header('kafkajs'),
  row(1, 0, 100),
  row(2, 0, 300, {
    resources: {
      'command-handler': { cpu: 20, rssBytes: 100 * MIB },
      browser: { cpu: 5, rssBytes: 50 * MIB },
    },
    lag: { 'command-handler': 4 },
  }),
  row(3, 50, 6000),
  { kind: 'end', time: 't', loops: 3, timeouts: 1, maxLoad: 50, reason: 'r' },
]);
const runB = file('kafkajs-2026-01-02T00-00-00Z', [
  header('kafkajs'),
  row(1, 0, 200, { resources: { 'command-handler': { cpu: 40, rssBytes: 200 * MIB } } }),
]);
const other = file('other-2026-01-01T00-00-00Z', [header('other'), row(1, 0, 999)]);

describe('the report', () => {
  const report = buildReport([runA, runB, other], { kafkajs: 'kafkajs-*' }, new Date('2026-01-03T00:00:00Z'));

  it('groups the rows of a category by load and summarises latency and each resource figure', () => {
    expect(report.categories).toHaveLength(1);
    const cat = report.categories[0];
    expect(cat?.runs).toEqual(['kafkajs-2026-01-01T00-00-00Z', 'kafkajs-2026-01-02T00-00-00Z']);
    expect(cat?.maxLoad).toMatchObject({ n: 2, mean: 25, min: 0, max: 50 });
    const [idle, busy] = cat?.points ?? [];
    expect(idle).toMatchObject({
      load: 0,
      rows: 3,
      latencyMs: { mean: 200, min: 100, max: 300 },
      timeouts: 0,
    });
    expect(idle?.cpu['command-handler']).toMatchObject({ n: 2, mean: 30, min: 20, max: 40 });
    expect(idle?.memoryMiB['command-handler']?.mean).toBe(150);
    expect(idle?.lag['command-handler']?.mean).toBe(4);
    expect(busy).toMatchObject({ load: 50, rows: 1, timeouts: 1 });
  });

  it('lists the runs it used and the components in a fixed order', () => {
    expect(report.runs.map((r) => r.name)).not.toContain('other-2026-01-01T00-00-00Z');
    expect(report.runs[0]).toMatchObject({
      loops: 3,
      timeouts: 1,
      maxLoad: 50,
      machine: '2 × Test CPU, 8 GiB',
    });
    expect(report.components).toEqual(['command-handler', 'browser']);
    expect(orderComponents(['browser', 'zeta', 'kafka-1', 'postgres'])).toEqual([
      'kafka-1',
      'postgres',
      'browser',
      'zeta',
    ]);
  });

  it('draws latency, CPU, memory and data-point charts, and an HTML page that needs no network', () => {
    const specs = benchChartSpecs(report);
    // Old runs: no in-page time, page parts or hops, so no "where the time goes" chart; the driver's
    // quantiles come from the rows every run has.
    expect(specs.map((s) => s.id)).toEqual([
      'latency',
      'latency-quantiles',
      'cpu-kafkajs',
      'memoryMiB-kafkajs',
      'rows',
    ]);
    expect(specs[1]?.data.datasets.map((d) => d.label)).toEqual(['kafkajs driver p50', 'kafkajs driver p99']);
    expect(specs[0]?.data.datasets[0]?.data).toEqual([
      { x: 0, y: 200 },
      { x: 50, y: 6000 },
    ]);
    const html = renderReportHtml(report, 'window.Chart = function () {};');
    expect(html).toContain('<canvas id="latency">');
    expect(html).toContain('window.Chart = function () {};');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('reads categories from JSON and refuses what is not a mapping of patterns', () => {
    expect(parseCategories('{"kafkajs": "kafkajs-*", "b": ["b-*", "c-*"]}')).toEqual({
      kafkajs: 'kafkajs-*',
      b: ['b-*', 'c-*'],
    });
    expect(() => parseCategories('[]')).toThrow();
    expect(() => parseCategories('{"a": 1}')).toThrow(/category a/);
    expect(() => parseCategories('nope')).toThrow(/JSON/);
  });
});

describe('the report of runs with in-page times, page parts and hops', () => {
  const page = (sentMs: number, pushMs: number, renderedMs: number) => ({
    sentMs,
    answerMs: pushMs + 1,
    pushMs,
    renderedMs,
  });
  const h = (counts: number[]) => ({ leSeconds: [0.001, 0.01], counts: { [HOP_PATH[1]]: counts } });
  const run = file('steady-2026-02-01T00-00-00Z', [
    { ...header('steady'), kafkaClient: 'kafkajs', brokers: 1, mode: 'steady', preset: 'steady' },
    ...Array.from({ length: 10 }, (_, i) =>
      row(i + 1, 0, 50 + i, { inPageMs: 40 + i, page: page(2, 30, 32 + i) }),
    ),
    row(11, 100, 90, {
      inPageMs: 80,
      page: page(3, 60, 64),
      hops: { [HOP_PATH[1]]: { n: 10, p50Ms: 5.5, p99Ms: 9.9 } },
      hopHistograms: h([0, 10, 10]),
    }),
    row(12, 100, 70, {
      inPageMs: null,
      page: null,
      hops: { [HOP_PATH[1]]: { n: 10, p50Ms: 1, p99Ms: 1 } },
      hopHistograms: h([10, 10, 10]),
    }),
    row(13, 1000, 60, { inPageMs: 50, hops: { [HOP_PATH[1]]: null } }),
  ]);
  const report = buildReport([run], { steady: 'steady-*' }, new Date('2026-02-02T00:00:00Z'));
  const [idle, some, more] = report.categories[0]?.points ?? [];

  it('gives p50/p90/p99 beside mean ± standard error, in-page and driver', () => {
    expect(idle?.inPageQuantiles).toEqual({ p50: 44.5, p90: 48.1, p99: 48.91 });
    expect(idle?.inPageMs).toMatchObject({ n: 10, mean: 44.5 });
    expect(idle?.latencyQuantiles?.p50).toBe(54.5);
    // a row whose balance never showed has no in-page time
    expect(some?.inPageMs?.n).toBe(1);
    const table = latencyTable(report.categories[0] as never);
    expect(table.head).toContain('in-page p50');
    expect(table.rows[0]).toEqual(['0', '10', '45', '48', '49', '45 ± 1', '55', '58', '59', '55 ± 1', '0']);
  });

  it('summarises the page parts and merges the hop histograms of a load', () => {
    expect(idle?.page?.clickToSent).toMatchObject({ n: 10, p50: 2 });
    expect(idle?.page?.pushToRendered?.p50).toBe(6.5);
    expect(idle?.hops).toBeUndefined();
    // 10 observations in 1–10 ms and 10 in 0–1 ms: the median at the bucket bound
    expect(some?.hops?.[HOP_PATH[1]]).toEqual({ n: 20, p50Ms: 1, p99Ms: 9.82 });
    // hop fields but no observations: recorded as looked-for, empty
    expect(more?.hops).toEqual({});
    // the in-page median less the measured medians: what no part covers
    expect(unmeasuredMs(some as never)).toBe(80 - 3 - 1 - 4);
  });

  it('draws where the time goes, stacked per load', () => {
    const spec = benchChartSpecs(report).find((s) => s.id === 'hops-steady');
    expect(spec?.type).toBe('bar');
    expect(spec?.data.labels).toEqual(['0', '100', '1000']);
    const labels = spec?.data.datasets.map((d) => d.label) ?? [];
    expect(labels[0]).toMatch(/click → request sent/);
    expect(labels).toContain(HOP_PATH[1]);
    expect(spec?.data.datasets.every((d) => d.stack === 'median')).toBe(true);
    expect(report.categories[0]?.setup).toEqual({
      kafkaClient: 'kafkajs',
      brokers: '1',
      mode: 'steady',
      preset: 'steady',
    });
    expect(report.runs[0]).toMatchObject({ kafkaClient: 'kafkajs', brokers: 1, mode: 'steady' });
  });

  it('groups runs by what they ran on, with or without name patterns', () => {
    const three = file('kafkajs-2026-03-01T00-00-00Z', [{ ...header('kafkajs'), brokers: 3 }, row(1, 0, 1)]);
    const runs = [runA, runB, three];
    expect([...groupRuns(runs, undefined, ['client', 'brokers'])]).toEqual([
      ['kafkajs · ? brokers', ['kafkajs-2026-01-01T00-00-00Z', 'kafkajs-2026-01-02T00-00-00Z']],
      ['kafkajs · 3 brokers', ['kafkajs-2026-03-01T00-00-00Z']],
    ]);
    expect([...groupRuns(runs, { k: 'kafkajs-*' }, ['brokers']).keys()]).toEqual([
      'k · ? brokers',
      'k · 3 brokers',
    ]);
    expect([...groupRuns(runs, undefined).keys()]).toEqual(['kafkajs']);
  });
});
