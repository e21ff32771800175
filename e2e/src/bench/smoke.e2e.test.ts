// The benchmark's smoke mode on the e2e stack: about a minute of loops with a fast ramp, checking that the
// whole chain (browser interactions, heartbeat ramp, /proc figures per component, lag, the report) works.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envVar, integer, parseConfig, text } from '@open-bank/config';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH } from '../browser.ts';
import { SMOKE_DEFAULTS } from './options.ts';
import { buildReport } from './report.ts';
import { writeReport } from './report-files.ts';
import { parseRunFile } from './run-file.ts';
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
    const html = readFileSync(written.html, 'utf8');
    for (const id of ['latency', 'cpu-smoke', 'memoryMiB-smoke', 'rows'])
      expect(html).toContain(`id="${id}"`);
  }, 240_000);
});
