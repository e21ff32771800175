import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './repo.ts';
import { waitFor } from './wait.ts';

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once GET url answers 200; fails early if the process exits first. */
  waitForHealthy(url: string, timeoutMs?: number): Promise<void>;
  /** Sends the signal (SIGTERM by default), waits for the exit, SIGKILLs after timeoutMs. */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no chance to clean up, as in a crash. */
  kill(): Promise<void>;
}

const MAX_OUTPUT = 2_000_000;

/** Runs a service's TypeScript entry (repo-relative, e.g. packages/x/src/main.ts) with tsx, as the stack does. */
export function spawnService(options: {
  name: string;
  entry: string;
  env: Record<string, string>;
}): ServiceProcess {
  const root = repoRoot();
  // Node itself with tsx's loader, not the tsx CLI: the CLI runs the service in a child process of its own,
  // so a SIGKILL (kill()) would end only the wrapper and leave the service running.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, options.entry)], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > MAX_OUTPUT) out = out.slice(-MAX_OUTPUT / 2);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  const pid = child.pid;

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000) => {
    if (exitInfo) return exitInfo;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const info = await exited;
    clearTimeout(timer);
    return info;
  };

  return {
    name: options.name,
    pid,
    output: () => out,
    exited,
    async waitForHealthy(url, timeoutMs = 60_000) {
      await waitFor(
        async () => {
          if (exitInfo) {
            throw new Error(
              `${options.name} exited (${JSON.stringify(exitInfo)}) before it was healthy:\n${out.slice(-4000)}`,
            );
          }
          const res = await fetch(url).catch(() => undefined);
          return res?.status === 200;
        },
        { timeoutMs, intervalMs: 200, what: `${options.name} at ${url}` },
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n--- ${options.name} output ---\n${out.slice(-4000)}`);
      });
    },
    stop,
    async kill() {
      await stop('SIGKILL');
    },
  };
}
