import { benchChartSpecs } from '@open-bank/frontend';
import { describe, expect, it } from 'vitest';
import { buildReport, orderComponents, parseCategories } from './report.ts';
import { renderReportHtml } from './report-html.ts';
import { parseRunFile, type RunRecord } from './run-file.ts';
import { header, row } from './test-fixtures.ts';

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
    expect(specs.map((s) => s.id)).toEqual(['latency', 'cpu-kafkajs', 'memoryMiB-kafkajs', 'rows']);
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
