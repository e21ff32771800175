// `pnpm bench:report`: groups the runs of a results folder into categories by run-name patterns and/or what
// they ran on, and writes the HTML report and its JSON (optionally also as the frontend's bench-results.json).
import { copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildReport, parseCategories } from './report.ts';
import { readRuns, writeReport } from './report-files.ts';
import { GROUP_FIELDS, parseGroupBy } from './run-setup.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FRONTEND_JSON = join(REPO, 'packages', 'frontend', 'public', 'bench-results.json');

const USAGE = `Usage: pnpm bench:report [--categories JSON] [--group-by FIELDS] [--results DIR] [--out DIR]
                         [--base NAME] [--publish]

  --categories JSON   category → run-name pattern(s), e.g. '{"kafkajs": "kafkajs-*"}' (default: every run
                      in one category per run name before its date)
  --group-by FIELDS   also (or, without --categories, only) group by what the runs ran on, from their
                      headers: a comma list of ${GROUP_FIELDS.join(', ')}, e.g. client,brokers
  --results DIR       folder of run files (default e2e/results)
  --out DIR           where report.html and report.json go (default: the results folder)
  --base NAME         file name of the report without extension (default report)
  --publish           also write the JSON as the frontend's public/bench-results.json (Background view)`;

function main(): void {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean' },
      categories: { type: 'string' },
      'group-by': { type: 'string' },
      results: { type: 'string' },
      out: { type: 'string' },
      base: { type: 'string', default: 'report' },
      publish: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const resultsDir = resolve(values.results ?? join(REPO, 'e2e', 'results'));
  const runs = readRuns(resultsDir);
  if (runs.length === 0) throw new Error(`no run files (*.jsonl) in ${resultsDir}`);
  const mapping = values.categories ? parseCategories(values.categories) : undefined;
  const groupBy = values['group-by'] ? parseGroupBy(values['group-by']) : [];
  const report = buildReport(runs, mapping, new Date(), groupBy);
  const used = report.categories.reduce((n, c) => n + c.runs.length, 0);
  const written = writeReport(report, resolve(values.out ?? resultsDir), values.base as string);
  if (values.publish) copyFileSync(written.json, FRONTEND_JSON);
  for (const c of report.categories) {
    console.log(
      `${c.name}: ${c.runs.length} run(s), max load reached ${c.maxLoad?.mean ?? '–'} msg/s (mean)`,
    );
  }
  console.log(`${used} of ${runs.length} runs in the report: ${written.html}`);
  if (values.publish) console.log(`frontend: ${FRONTEND_JSON}`);
}

try {
  main();
} catch (e) {
  console.error(`bench:report: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
