import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchReport } from '@open-bank/frontend';
import { renderReportHtml } from './report-html.ts';
import { type ParsedRun, parseRunFile, RUN_FILE_EXTENSION } from './run-file.ts';

/** Every run file in a results folder, parsed, oldest first. */
export function readRuns(dir: string): ParsedRun[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(RUN_FILE_EXTENSION))
    .sort()
    .map((f) => parseRunFile(f, readFileSync(join(dir, f), 'utf8')));
}

/** Chart.js's self-contained UMD build, which the HTML report inlines. */
export function chartJsUmd(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

/** Writes `<base>.html` and `<base>.json`; answers their paths. */
export function writeReport(
  report: BenchReport,
  outDir: string,
  base: string,
): { html: string; json: string } {
  mkdirSync(outDir, { recursive: true });
  const html = join(outDir, `${base}.html`);
  const json = join(outDir, `${base}.json`);
  writeFileSync(html, renderReportHtml(report, chartJsUmd()));
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  return { html, json };
}
