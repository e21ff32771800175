// The benchmark's smoke mode on the e2e stack: about a minute of loops with a fast ramp, checking that the
// whole chain (browser interactions, heartbeat ramp, /proc figures per component, lag, the report) works.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envVar, integer, parseConfig, text } from '@open-bank/config';
import { HOPS } from '@open-bank/contract';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH } from '../browser.ts';
import { resolveOptions, SMOKE_DEFAULTS } from './options.ts';
import { buildReport } from './report.ts';
import { writeReport } from './report-files.ts';
import { type ParsedRun, parseRunFile, type RunRow } from './run-file.ts';
import { runBench } from './runner.ts';
import { localTarget } from './target.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const config = parseConfig(
  {
    profile: envVar('STACK_TEST_PROFILE', text(), { default: 'test' }),
    portOffset: envVar('STACK_TEST_PORT_OFFSET', integer({ min: 0, max: 50_000 }), { default: '10000' }),
    chromium: envVar('CHROMIUM_PATH', text(), { default: DEFAULT_CHROMIUM_PATH }),
  },
  process.env,
);

const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * Every interaction that showed in time has an in-page time within the driver's (which holds the driver's
 * round trips too; its ms are whole, so a millisecond of rounding), and the page's own parts in order.
 */
function expectInPageFigures(rows: readonly RunRow[]): void {
  for (const r of rows) {
    if (r.timedOut) continue;
    const label = `loop ${r.loop}`;
    expect(r.inPageMs, label).toBeGreaterThan(0);
    expect(r.inPageMs as number, label).toBeLessThanOrEqual(r.ms + 1);
    const p = r.page;
    expect(p, label).toBeTruthy();
    if (!p) continue;
    expect(p.sentMs, label).toBeGreaterThanOrEqual(0);
    expect(p.pushMs as number, label).toBeGreaterThan(p.sentMs as number);
    expect(p.renderedMs as number, label).toBeGreaterThanOrEqual(p.pushMs as number);
    // React commits the DOM (the page's mark) before the observer's callback runs (the benchmark's).
    expect(p.renderedMs as number, label).toBeLessThanOrEqual((r.inPageMs as number) + 0.5);
    expect(p.answerMs, label).toBeGreaterThan(p.sentMs as number);
  }
}

/** Resource rows carry every hop of the trace: null until the services observe it, else its figures. */
function expectHopFields(run: ParsedRun): void {
  for (const r of run.rows.filter((row) => row.resources)) {
    expect(Object.keys(r.hops ?? {})).toEqual(expect.arrayContaining([...HOPS]));
    for (const [hop, f] of Object.entries(r.hops ?? {})) {
      if (f === null) continue;
      expect(f.n, hop).toBeGreaterThan(0);
      expect(f.p99Ms, hop).toBeGreaterThanOrEqual(f.p50Ms);
    }
  }
}

describe('pnpm bench --smoke', () => {
  it('records a row per loop with resource figures every 20th, and a report with charts', async () => {
    const lines: string[] = [];
    const target = await localTarget(
      config.profile,
      config.portOffset,
      process.env,
      (m) => lines.push(m),
      false,
    );
    // Time-outs do not end the smoke run: a busy CI machine must still show that the chain works.
    const options = { ...SMOKE_DEFAULTS, maxTimeouts: SMOKE_DEFAULTS.maxLoops + 1 };
    const { file, end } = await runBench({
      options,
      target,
      resultsDir: out,
      repoRoot: REPO,
      chromiumPath: config.chromium,
      progress: (line) => lines.push(line),
      log: (m) => lines.push(m),
    });
    expect(end).toMatchObject({ loops: 40, maxLoad: 150 });
    expect(lines.filter((l) => l.startsWith('loop '))).toHaveLength(40);

    const run = parseRunFile(file, readFileSync(file, 'utf8'));
    expect(run.header.machine.cpus).toBeGreaterThan(0);
    expect(run.rows.map((r) => r.loop)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect([...new Set(run.rows.map((r) => r.load))]).toEqual([0, 50, 100, 150]);
    for (const r of run.rows) expect(r.ms).toBeGreaterThan(0);
    expect(run.header).toMatchObject({ kafkaClient: 'kafkajs', mode: 'ramp', preset: 'smoke' });
    expect(run.header.brokers).toBeGreaterThanOrEqual(1);
    expectInPageFigures(run.rows);
    expectHopFields(run);

    const sampled = run.rows.filter((r) => r.resources);
    expect(sampled.map((r) => r.loop)).toEqual([20, 40]);
    const last = sampled.at(-1);
    for (const c of ['kafka-1', 'postgres', 'command-handler', 'graphql-endpoint', 'heartbeat', 'browser']) {
      expect(last?.resources?.[c]?.rssBytes, c).toBeGreaterThan(10 * 1024 * 1024);
    }
    // The ramp put load on the bank: the broker and the command handler worked between the samples.
    expect(last?.resources?.['kafka-1']?.cpu).toBeGreaterThan(0);
    expect(last?.resources?.['command-handler']?.cpu).toBeGreaterThan(0);
    expect(last?.heartbeat).toBeGreaterThan(500);
    expect(Object.keys(last?.lag ?? {})).toEqual(
      expect.arrayContaining(['command-handler', 'graphql-endpoint', 'command-generator']),
    );

    const report = buildReport([run], { smoke: 'smoke-*' }, new Date());
    const written = writeReport(report, out, 'report');
    expect(report.categories[0]?.points.map((p) => p.load)).toEqual([0, 50, 100, 150]);
    expect(report.categories[0]?.points[0]?.cpu['command-handler']).toBeUndefined();
    expect(report.categories[0]?.points[1]?.cpu['command-handler']?.n).toBe(1);
    expect(existsSync(written.json)).toBe(true);
    const idle = report.categories[0]?.points[0];
    expect(idle?.inPageQuantiles?.p50).toBeLessThanOrEqual(idle?.latencyQuantiles?.p50 ?? 0);
    expect(idle?.page?.clickToSent?.n).toBeGreaterThan(0);
    const html = readFileSync(written.html, 'utf8');
    for (const id of ['latency', 'latency-quantiles', 'hops-smoke', 'cpu-smoke', 'memoryMiB-smoke', 'rows'])
      expect(html).toContain(`id="${id}"`);
    expect(html).toContain('in-page p50');
  }, 240_000);

  it('holds each load of a steady run for its loops, with a resource row at the end of each', async () => {
    const target = await localTarget(config.profile, config.portOffset, process.env, () => {}, false);
    const resolved = resolveOptions({ smoke: true, steady: 'default', name: 'smoke-steady' });
    if (!resolved.ok) throw new Error(resolved.problems.join('; '));
    const options = { ...resolved.options, maxTimeouts: resolved.options.maxLoops + 1 };
    const { file, end } = await runBench({
      options,
      target,
      resultsDir: out,
      repoRoot: REPO,
      chromiumPath: config.chromium,
      progress: () => {},
      log: () => {},
    });
    expect(end).toMatchObject({ loops: 10, maxLoad: 100 });
    const run = parseRunFile(file, readFileSync(file, 'utf8'));
    expect(run.header).toMatchObject({ mode: 'steady', preset: 'smoke-steady' });
    expect(run.rows.map((r) => r.load)).toEqual([0, 0, 0, 0, 0, 100, 100, 100, 100, 100]);
    expect(run.rows.filter((r) => r.resources).map((r) => r.loop)).toEqual([5, 10]);
    expectInPageFigures(run.rows);
    expectHopFields(run);
    const report = buildReport([run], undefined, new Date(), ['mode']);
    expect(report.categories.map((c) => c.name)).toEqual(['steady']);
    expect(report.categories[0]?.points.map((p) => [p.load, p.rows])).toEqual([
      [0, 5],
      [100, 5],
    ]);
  }, 180_000);
});
