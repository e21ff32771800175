import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { COMPANY_IBAN } from '@open-bank/contract';
import { formatCents, TestIds } from '@open-bank/frontend';
import type { Browser } from 'playwright-core';
import { BankApp } from '../bank-app.ts';
import { launchChromium } from '../browser.ts';
import { BenchTargetError } from '../errors.ts';
import { type HopScrape, hopRowFields, hopsOfMetrics } from './hops.ts';
import { describeInteraction, interactionFor } from './interactions.ts';
import { type BenchOptions, progressLine, scheduledLoad, WARMUP_LOAD } from './options.ts';
import { parseProcStat } from './proc.ts';
import { consumerLag } from './prometheus.ts';
import { batchSizeFor, loadOf } from './ramp.ts';
import { CombinedSampler, ProcSampler, type ResourceSampler } from './resources.ts';
import {
  formatRecord,
  type RunEnd,
  type RunHeader,
  type RunRecord,
  type RunRow,
  runFileName,
  type ServiceStartup,
} from './run-file.ts';
import type { BenchTarget } from './target.ts';

/** After a time-out, how long the run waits for the balance before it reads what is shown and goes on. */
const RECOVER_MS = 60_000;

export interface RunSetup {
  readonly options: BenchOptions;
  readonly target: BenchTarget;
  readonly resultsDir: string;
  readonly repoRoot: string;
  readonly chromiumPath: string;
  /** Extra samplers (the compose containers); the browser is always sampled from /proc. */
  readonly extraSampler?: ResourceSampler;
  /** Progress output; `inPlace` rewrites one line on a terminal. */
  readonly progress: (line: string, inPlace: boolean) => void;
  readonly log: (message: string) => void;
  /** Set to stop the run after the current loop (Ctrl-C). */
  readonly stopRequested?: () => boolean;
}

export interface RunOutcome {
  readonly file: string;
  readonly end: RunEnd;
}

function gitInfo(repoRoot: string): RunHeader['git'] {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    return {
      commit: git('rev-parse', 'HEAD'),
      dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    };
  } catch {
    return { commit: undefined, dirty: undefined };
  }
}

export function machineInfo(): RunHeader['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
  };
}

/** The Chromium our process launched: a child of ours whose command line names it. */
function browserPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (stat?.ppid !== process.pid) continue;
      if (/chrom/i.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) return stat.pid;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

async function fetchText(url: string, timeoutMs = 3_000): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Every service's /metrics at once: consumer lag and hop histograms; a service that does not answer is left out. */
async function scrapeMetrics(
  metrics: Readonly<Record<string, string>>,
): Promise<{ lag: Record<string, number>; hops: HopScrape }> {
  const texts = await Promise.all(
    Object.entries(metrics).map(async ([svc, url]) => [svc, await fetchText(url)] as const),
  );
  const lag: Record<string, number> = {};
  const hops = new Map<string, ReturnType<typeof hopsOfMetrics>>();
  for (const [svc, text] of texts) {
    if (text === undefined) continue;
    const l = consumerLag(text);
    if (l !== undefined) lag[svc] = l;
    hops.set(svc, hopsOfMetrics(text));
  }
  return { lag, hops };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface HeartbeatState {
  readonly batchSize: number;
  readonly intervalMs: number;
  readonly beatsSent: number;
}

/**
 * The warm-up (see BenchOptions.warmupSeconds): WARMUP_LOAD in the background and a deposit of 10 euro a
 * loop, none of it recorded; then no load, and a pause for the bank to settle. Answers the balance after it.
 */
async function warmUp(
  app: BankApp,
  heartbeatUrl: string,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<number> {
  log(
    `warming up for ${options.warmupSeconds} s: ${WARMUP_LOAD} messages/s and a deposit a loop, not recorded`,
  );
  await heartbeat(heartbeatUrl, { batchSize: batchSizeFor(WARMUP_LOAD, options.intervalMs) });
  let balance = 0;
  const until = Date.now() + options.warmupSeconds * 1000;
  while (Date.now() < until) {
    const started = Date.now();
    balance += WARMUP_DEPOSIT_EURO * 100;
    await app.deposit(WARMUP_DEPOSIT_EURO);
    // A deposit that does not show in time still lands: the balance counts it either way.
    await app.waitForNewestBalance(formatCents(balance), options.timeoutMs).catch(() => undefined);
    await sleep(Math.max(0, options.loopMs - (Date.now() - started)));
  }
  await heartbeat(heartbeatUrl, { batchSize: 0 });
  await sleep(options.settleMs);
  return balance;
}

const WARMUP_DEPOSIT_EURO = 10;

async function heartbeat(url: string, change?: Partial<HeartbeatState>): Promise<HeartbeatState> {
  let last: unknown;
  // A kept-alive connection the server closes just as a request goes out fails that request: try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const res = await fetch(`${url}/state`, {
        method: change ? 'PUT' : 'GET',
        ...(change ? { body: JSON.stringify(change), headers: { 'content-type': 'application/json' } } : {}),
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
      return (await res.json()) as HeartbeatState;
    } catch (e) {
      last = e;
      await sleep(200);
    }
  }
  throw new BenchTargetError(`heartbeat control at ${url}/state: ${(last as Error).message}`, last);
}

/**
 * How long each service took to start, from the `startup` its /health reports (beside /metrics): serving,
 * and the slowest consumer-group join. Services that do not say are left out.
 */
export async function startupOf(
  metrics: Readonly<Record<string, string>>,
): Promise<Record<string, ServiceStartup>> {
  const out: Record<string, ServiceStartup> = {};
  await Promise.all(
    Object.entries(metrics).map(async ([service, url]) => {
      try {
        const res = await fetch(url.replace(/\/metrics$/, '/health'), { signal: AbortSignal.timeout(2_000) });
        const body = (await res.json()) as { startup?: unknown };
        const s = parseStartup(body.startup);
        if (s) out[service] = s;
      } catch {
        // A service without /health figures simply has no start time in the run.
      }
    }),
  );
  return out;
}

/** The serving moment and the slowest group join of a /health `startup` field, if it has them. */
export function parseStartup(raw: unknown): ServiceStartup | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as { servingMs?: unknown; groups?: unknown };
  if (typeof r.servingMs !== 'number') return undefined;
  let joinedMs: number | undefined;
  if (typeof r.groups === 'object' && r.groups !== null)
    for (const g of Object.values(r.groups as Record<string, { joinedMs?: unknown }>))
      if (typeof g?.joinedMs === 'number') joinedMs = Math.max(joinedMs ?? 0, g.joinedMs);
  return { servingMs: r.servingMs, ...(joinedMs === undefined ? {} : { joinedMs }) };
}

/**
 * One benchmark run (SPEC §5): log in, then one timed interaction per loop while the heartbeat rate rises,
 * writing a row per loop to the run file as it goes (a run cut short still leaves its rows).
 */
export async function runBench(setup: RunSetup): Promise<RunOutcome> {
  const { options, target, log } = setup;
  const startedAt = new Date();
  mkdirSync(setup.resultsDir, { recursive: true });
  const file = join(setup.resultsDir, runFileName(options.name, startedAt));
  const write = (r: RunRecord) => appendFileSync(file, formatRecord(r));

  const initial = await heartbeat(target.heartbeatUrl, { batchSize: 0, intervalMs: options.intervalMs });
  const header: RunHeader = {
    kind: 'header',
    name: options.name,
    startedAt: startedAt.toISOString(),
    git: gitInfo(setup.repoRoot),
    machine: machineInfo(),
    target: target.describe,
    options: { ...options },
    kafkaClient: target.kafkaClient ?? options.kafkaClient,
    ...((target.brokers ?? options.brokers) === undefined
      ? {}
      : { brokers: target.brokers ?? options.brokers }),
    mode: options.mode,
    preset: options.preset,
    startup: await startupOf(target.metrics),
  };
  writeFileSync(file, formatRecord(header));

  let browser: Browser | undefined;
  let load = 0;
  let loop = 0;
  let timeouts = 0;
  let reason = `reached ${options.maxLoops} loops`;
  try {
    browser = await launchChromium(setup.chromiumPath);
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' })
    ).newPage();
    const app = new BankApp(page, target.frontendUrl);
    await app.open('/');
    const user = `bench-${randomBytes(6).toString('hex')}`;
    const iban = await app.login(user, randomBytes(12).toString('hex'), 60_000);
    log(`logged in as ${user}, account ${iban}`);
    await page.waitForSelector(`[data-testid="${TestIds.accountBalance}"]`);
    let balance = 0;

    if (options.warmupSeconds > 0) balance = await warmUp(app, target.heartbeatUrl, options, log);

    const bpid = browserPid();
    const procRoots = { ...(target.pids ?? {}), ...(bpid ? { browser: bpid } : {}) };
    const proc = new ProcSampler(() => procRoots, new Set([process.pid]));
    proc.prime();
    let hopsBefore = (await scrapeMetrics(target.metrics)).hops;
    const sampler = setup.extraSampler ? new CombinedSampler([setup.extraSampler, proc]) : proc;
    const firstBeats = initial.beatsSent;

    let lastMs: number | undefined;
    let batchSize = 0;
    const inPlace = process.stdout.isTTY === true;
    for (loop = 1; loop <= options.maxLoops; loop++) {
      const loopStart = Date.now();
      const wantBatch = batchSizeFor(scheduledLoad(loop, options), options.intervalMs);
      if (wantBatch !== batchSize) {
        await heartbeat(target.heartbeatUrl, { batchSize: wantBatch });
        batchSize = wantBatch;
        // A steady load is measured once the bank has taken it up, not while its lag builds.
        if (options.mode === 'steady') await sleep(options.settleMs);
      }
      load = loadOf(batchSize, options.intervalMs);

      const act = interactionFor(loop);
      if (act.kind === 'transfer') {
        await app.fillTransfer({ amount: act.amount, to: COMPANY_IBAN, description: `bench ${loop}` });
      }
      const expected = formatCents(balance + act.cents);
      // Armed before the driver's clock starts, so the driver figure times what it always did: the click
      // and the wait for the balance, each a round trip to the browser.
      await app.armInteraction(expected);
      const clicked = Date.now();
      if (act.kind === 'deposit') await app.deposit(act.euro);
      else await page.click(`[data-testid="${TestIds.transferSubmit}"]`);
      let timedOut = false;
      let seen = await app.awaitInteraction(options.timeoutMs - (Date.now() - clicked));
      let ms = Date.now() - clicked;
      if (!seen.seen) {
        timedOut = true;
        timeouts++;
        seen = await app.awaitInteraction(options.timeoutMs + RECOVER_MS - (Date.now() - clicked));
        ms = Date.now() - clicked;
        if (!seen.seen) log(`loop ${loop}: ${expected} never showed; going on from what the account shows`);
      }
      const pageParts = await app.pageParts(seen.seen ? 2_000 : 0);
      balance += act.cents;
      lastMs = ms;

      let extra: Pick<RunRow, 'resources' | 'heartbeat' | 'lag' | 'hops' | 'hopHistograms'> = {};
      if (loop % options.resourceEvery === 0) {
        const [resources, hb, scraped] = await Promise.all([
          sampler.sample().catch((e: unknown) => {
            log(`resource sample failed: ${(e as Error).message}`);
            return undefined;
          }),
          heartbeat(target.heartbeatUrl).catch(() => undefined),
          scrapeMetrics(target.metrics),
        ]);
        const hopFields = hopRowFields(hopsBefore, scraped.hops);
        // A service that did not answer this time keeps its last scrape to compare the next one with.
        hopsBefore = new Map([...hopsBefore, ...scraped.hops]);
        extra = {
          ...(resources ? { resources } : {}),
          ...(hb ? { heartbeat: hb.beatsSent - firstBeats } : {}),
          lag: scraped.lag,
          ...hopFields,
        };
      }
      write({
        kind: 'row',
        loop,
        time: new Date(clicked).toISOString(),
        load,
        interaction: describeInteraction(act),
        ms,
        timedOut,
        inPageMs: seen.inPageMs,
        page: pageParts,
        ...extra,
      });
      setup.progress(
        progressLine({
          loop,
          maxLoops: options.maxLoops,
          load,
          lastMs,
          timeouts,
          maxTimeouts: options.maxTimeouts,
        }),
        inPlace,
      );
      if (timeouts >= options.maxTimeouts) {
        reason = `${timeouts} interactions slower than ${options.timeoutMs} ms`;
        break;
      }
      if (setup.stopRequested?.()) {
        reason = 'stopped by the user';
        break;
      }
      await sleep(loopStart + options.loopMs - Date.now());
    }
  } finally {
    await heartbeat(target.heartbeatUrl, { batchSize: 0 }).catch(() => undefined);
    await browser?.close().catch(() => undefined);
  }
  const end: RunEnd = {
    kind: 'end',
    time: new Date().toISOString(),
    loops: Math.min(loop, options.maxLoops),
    timeouts,
    maxLoad: load,
    reason,
  };
  write(end);
  return { file, end };
}
