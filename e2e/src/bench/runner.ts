import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatCents, TestIds } from '@open-bank/frontend';
import type { Browser } from 'playwright-core';
import { BankApp } from '../bank-app.ts';
import { launchChromium } from '../browser.ts';
import { BenchTargetError, InteractionTimeoutError } from '../errors.ts';
import { describeInteraction, interactionFor } from './interactions.ts';
import type { BenchOptions } from './options.ts';
import { progressLine } from './options.ts';
import { parseProcStat } from './proc.ts';
import { consumerLag } from './prometheus.ts';
import { batchSizeFor, loadAt, loadOf } from './ramp.ts';
import { CombinedSampler, ProcSampler, type ResourceSampler } from './resources.ts';
import {
  formatRecord,
  type RunEnd,
  type RunHeader,
  type RunRecord,
  type RunRow,
  runFileName,
} from './run-file.ts';
import type { BenchTarget } from './target.ts';

const COMPANY_IBAN = 'NL66OPEN0000000000';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface HeartbeatState {
  readonly batchSize: number;
  readonly intervalMs: number;
  readonly beatsSent: number;
}

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

    const bpid = browserPid();
    const procRoots = { ...(target.pids ?? {}), ...(bpid ? { browser: bpid } : {}) };
    const proc = new ProcSampler(() => procRoots, new Set([process.pid]));
    proc.prime();
    const sampler = setup.extraSampler ? new CombinedSampler([setup.extraSampler, proc]) : proc;
    const firstBeats = initial.beatsSent;

    let balance = 0;
    let lastMs: number | undefined;
    let batchSize = 0;
    const inPlace = process.stdout.isTTY === true;
    for (loop = 1; loop <= options.maxLoops; loop++) {
      const loopStart = Date.now();
      const wantBatch = batchSizeFor(loadAt(loop, options), options.intervalMs);
      if (wantBatch !== batchSize) {
        await heartbeat(target.heartbeatUrl, { batchSize: wantBatch });
        batchSize = wantBatch;
      }
      load = loadOf(batchSize, options.intervalMs);

      const act = interactionFor(loop);
      if (act.kind === 'transfer') {
        await app.fillTransfer({ amount: act.amount, to: COMPANY_IBAN, description: `bench ${loop}` });
      }
      const expected = formatCents(balance + act.cents);
      const clicked = Date.now();
      if (act.kind === 'deposit') await app.deposit(act.euro);
      else await page.click(`[data-testid="${TestIds.transferSubmit}"]`);
      let timedOut = false;
      let ms: number;
      try {
        ms = await app.waitForNewestBalance(expected, options.timeoutMs, clicked);
      } catch (e) {
        if (!(e instanceof InteractionTimeoutError)) throw e;
        timedOut = true;
        timeouts++;
        try {
          ms = await app.waitForNewestBalance(expected, options.timeoutMs + RECOVER_MS, clicked);
        } catch {
          ms = Date.now() - clicked;
          log(`loop ${loop}: ${expected} never showed; going on from what the account shows`);
        }
      }
      balance += act.cents;
      lastMs = ms;

      let extra: Pick<RunRow, 'resources' | 'heartbeat' | 'lag'> = {};
      if (loop % options.resourceEvery === 0) {
        const [resources, hb, lags] = await Promise.all([
          sampler.sample().catch((e: unknown) => {
            log(`resource sample failed: ${(e as Error).message}`);
            return undefined;
          }),
          heartbeat(target.heartbeatUrl).catch(() => undefined),
          Promise.all(
            Object.entries(target.metrics).map(async ([svc, url]) => {
              const text = await fetchText(url);
              const lag = text === undefined ? undefined : consumerLag(text);
              return [svc, lag] as const;
            }),
          ),
        ]);
        const lag: Record<string, number> = {};
        for (const [svc, v] of lags) if (v !== undefined) lag[svc] = v;
        extra = {
          ...(resources ? { resources } : {}),
          ...(hb ? { heartbeat: hb.beatsSent - firstBeats } : {}),
          lag,
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
