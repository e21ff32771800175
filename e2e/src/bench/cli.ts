// `pnpm bench`: one benchmark run against the local stack (started when needed) or a deployment given by
// URLs; writes the run file and a report of that run. `pnpm bench --help` lists the options.

import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KAFKA_CLIENTS } from '@open-bank/stack';
import { DEFAULT_CHROMIUM_PATH } from '../browser.ts';
import { BenchOptionsError } from '../errors.ts';
import {
  DEFAULT_STEADY_LOADS,
  FULL_DEFAULTS,
  NUMERIC_OPTIONS,
  normaliseArgv,
  PRESETS,
  resolveOptions,
  SMOKE_DEFAULTS,
  STEADY_WARMUP_SECONDS,
  WARMUP_LOAD,
} from './options.ts';
import { buildReport } from './report.ts';
import { writeReport } from './report-files.ts';
import { DockerSampler } from './resources.ts';
import { parseRunFile } from './run-file.ts';
import { runBench } from './runner.ts';
import { type BenchTarget, localTarget, remoteTarget } from './target.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const USAGE = `Usage: pnpm bench [options]

Target (default: the local stack of --profile, started when not running):
  --profile NAME          stack profile (default dev); --port-offset N for a profile of your own
  --kafka-client NAME     ${KAFKA_CLIENTS.join('|')} (default ${FULL_DEFAULTS.kafkaClient}): KAFKA_CLIENT of a stack the
                          benchmark starts; a running stack on another client is refused (with
                          --frontend-url: what the deployment runs on, recorded as given)
  --brokers 1|3           Kafka brokers of a stack the benchmark starts (default: as the profile has it)
  --frontend-url URL      a running deployment's frontend (with --heartbeat-url)
  --heartbeat-url URL     its heartbeat control API
  --metrics NAME=URL      a service's /metrics: consumer lag, hop histograms (repeatable)
  --docker                resource figures from the Docker Engine (compose deployment)
  --docker-socket PATH    default /var/run/docker.sock;  --compose-project NAME to pick one project
Run:
  --name NAME             run name, first part of the result file's name (default ${FULL_DEFAULTS.name})
  --smoke                 about a minute: ${SMOKE_DEFAULTS.maxLoops} loops, a step every ${SMOKE_DEFAULTS.cycleLoops}
  --preset NAME           a named ramp: ${Object.keys(PRESETS).join(', ')} (original: +10 msg/s every 40 loops)
  --until-saturated       the same as --preset until-saturated: a ramp steep enough that time-outs end it
  --steady [LOADS]        hold each load (msg/s) in turn, default ${DEFAULT_STEADY_LOADS.join(',')}
  --per-load N            steady: interactions at each load (default ${FULL_DEFAULTS.perLoad})
  --settle-ms N           steady: pause after a load change (default ${FULL_DEFAULTS.settleMs})
  --warmup S              seconds at ${WARMUP_LOAD} msg/s with unrecorded deposits before the first recorded loop
                          (default ${STEADY_WARMUP_SECONDS} with --steady, 0 for ramps)
  --loop-ms N             minimum loop time (default ${FULL_DEFAULTS.loopMs})
  --step N                messages/s added per step (default ${FULL_DEFAULTS.stepPerSecond})
  --cycle N               loops per step (default ${FULL_DEFAULTS.cycleLoops})
  --interval-ms N         heartbeat tick (default ${FULL_DEFAULTS.intervalMs})
  --timeout-ms N          an interaction slower than this is a time-out (default ${FULL_DEFAULTS.timeoutMs})
  --max-timeouts N        time-outs that end the run (default ${FULL_DEFAULTS.maxTimeouts})
  --max-loops N           (default ${FULL_DEFAULTS.maxLoops})
  --resource-every N      rows between resource figures (default ${FULL_DEFAULTS.resourceEvery})
  --results DIR           where result files go (default e2e/results; test-results/bench with --smoke)
Environment: CHROMIUM_PATH (default ${DEFAULT_CHROMIUM_PATH}).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: normaliseArgv(process.argv.slice(2)),
    options: {
      help: { type: 'boolean' },
      smoke: { type: 'boolean' },
      name: { type: 'string' },
      profile: { type: 'string', default: 'dev' },
      'port-offset': { type: 'string' },
      'frontend-url': { type: 'string' },
      'heartbeat-url': { type: 'string' },
      metrics: { type: 'string', multiple: true },
      docker: { type: 'boolean' },
      'docker-socket': { type: 'string', default: '/var/run/docker.sock' },
      'compose-project': { type: 'string' },
      results: { type: 'string' },
      preset: { type: 'string' },
      'until-saturated': { type: 'boolean' },
      steady: { type: 'string' },
      'settle-ms': { type: 'string' },
      warmup: { type: 'string' },
      'kafka-client': { type: 'string' },
      brokers: { type: 'string' },
      ...Object.fromEntries(Object.keys(NUMERIC_OPTIONS).map((k) => [k, { type: 'string' as const }])),
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const resolved = resolveOptions(values as unknown as Record<string, string | boolean | undefined>);
  const problems = resolved.ok ? [] : [...resolved.problems];
  const remote = values['frontend-url'] !== undefined || values['heartbeat-url'] !== undefined;
  if (remote && (values['frontend-url'] === undefined || values['heartbeat-url'] === undefined))
    problems.push('--frontend-url and --heartbeat-url go together');
  const metrics: Record<string, string> = {};
  for (const m of values.metrics ?? []) {
    const at = m.indexOf('=');
    if (at < 1) problems.push(`--metrics: want NAME=URL, got '${m}'`);
    else metrics[m.slice(0, at)] = m.slice(at + 1);
  }
  const portOffset = values['port-offset'] === undefined ? undefined : Number(values['port-offset']);
  if (portOffset !== undefined && !Number.isInteger(portOffset))
    problems.push('--port-offset: a whole number');
  if (!resolved.ok || problems.length > 0) throw new BenchOptionsError(problems);
  const options = resolved.options;

  const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
  const target: BenchTarget = remote
    ? remoteTarget(
        values['frontend-url'] as string,
        values['heartbeat-url'] as string,
        metrics,
        values.docker
          ? { socket: values['docker-socket'] as string, project: values['compose-project'] }
          : undefined,
      )
    : await localTarget(values.profile as string, portOffset, process.env, log, true, {
        kafkaClient: options.kafkaClient,
        ...(options.brokers === undefined ? {} : { brokers: options.brokers }),
      });
  const resultsDir = resolve(
    values.results ?? join(REPO, options.smoke ? 'test-results/bench' : 'e2e/results'),
  );

  let stop = false;
  process.once('SIGINT', () => {
    stop = true;
    log('stopping after this loop (Ctrl-C again to abort)');
    process.once('SIGINT', () => process.exit(130));
  });
  const how =
    options.mode === 'steady'
      ? `steady ${options.steadyLoads.join(',')} msg/s, ${options.perLoad} loops each`
      : `ramp ${options.preset}: +${options.stepPerSecond} msg/s every ${options.cycleLoops} loops, at most ${options.maxLoops}`;
  log(`run ${options.name} against ${target.frontendUrl} (${how})`);
  const { file, end } = await runBench({
    options,
    target,
    resultsDir,
    repoRoot: REPO,
    chromiumPath: process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH,
    ...(values.docker && remote
      ? { extraSampler: new DockerSampler(values['docker-socket'] as string, values['compose-project']) }
      : {}),
    progress: (line, inPlace) => {
      if (inPlace) process.stdout.write(`\r\x1b[2K${line}`);
      else if (line.startsWith('loop ') && /^loop (\d+)\//.exec(line)?.[1]?.endsWith('0')) console.log(line);
    },
    log,
    stopRequested: () => stop,
  });
  if (process.stdout.isTTY) process.stdout.write('\n');
  const run = parseRunFile(file, readFileSync(file, 'utf8'));
  const report = buildReport([run], { [options.name]: run.name }, new Date());
  const written = writeReport(report, dirname(file), basename(file).replace(/\.jsonl$/, '.report'));
  console.log(
    `${end.reason}: max load reached ${end.maxLoad} messages/s after ${end.loops} loops, ${end.timeouts} time-outs`,
  );
  console.log(`rows: ${file}\nreport: ${written.html}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
