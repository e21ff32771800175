import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every process the stack starts carries this variable, so `down` finds them even without state.json. */
export const STACK_MARKER_VAR = 'OPEN_BANK_STACK_DIR';

export interface Launch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
}

export interface Spawned {
  readonly pid: number;
  /** Kernel start time of the process, so a recycled pid is never mistaken for ours. */
  readonly procStart: string | undefined;
}

/**
 * Starts a process that outlives the caller: its own process group (detached), output appended to the log
 * file, no handle keeping our event loop alive.
 */
export function spawnDetached(launch: Launch, logFile: string): Spawned {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(launch.command, [...launch.args], {
      cwd: launch.cwd,
      env: { ...launch.env },
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(launch.uid === undefined ? {} : { uid: launch.uid }),
      ...(launch.gid === undefined ? {} : { gid: launch.gid }),
    });
    // spawn errors (ENOENT, EACCES) arrive asynchronously; the caller sees them as an early exit.
    child.on('error', () => {});
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${launch.command}`);
    return { pid: child.pid, procStart: procStartTime(child.pid) };
  } finally {
    closeSync(fd);
  }
}

/** Runs a process to its end with output appended to the log file; resolves with its exit code. */
export function runToEnd(launch: Launch, logFile: string, timeoutMs: number): Promise<number> {
  const fd = openSync(logFile, 'a');
  return new Promise<number>((resolve, reject) => {
    const child = spawn(launch.command, [...launch.args], {
      cwd: launch.cwd,
      env: { ...launch.env },
      stdio: ['ignore', fd, fd],
      ...(launch.uid === undefined ? {} : { uid: launch.uid }),
      ...(launch.gid === undefined ? {} : { gid: launch.gid }),
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${launch.command} did not finish within ${Math.round(timeoutMs / 1000)}s`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  }).finally(() => closeSync(fd));
}

function readStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function procStartTime(pid: number): string | undefined {
  return readStat(pid)?.[19];
}

/** Alive and not a zombie; when a start time is known, it must match (pids get reused). */
export function isAlive(pid: number, procStart?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readStat(pid);
  if (stat === undefined) return process.platform !== 'linux';
  if (stat[0] === 'Z' || stat[0] === 'X') return false;
  return procStart === undefined || stat[19] === procStart;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

export function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // Group already empty.
  }
}

/** Pids of the process group (the leader's children included: tsx runs the script in a child node). */
export function groupMembers(pgid: number): number[] {
  return listPids().filter((pid) => {
    const stat = readStat(pid);
    return stat !== undefined && stat[2] === String(pgid) && stat[0] !== 'Z';
  });
}

function listPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
}

/** Processes whose environment carries the marker of this stack directory. */
export function markedProcesses(stackDir: string): number[] {
  const needle = `${STACK_MARKER_VAR}=${stackDir}\0`;
  return listPids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      const env = `${readFileSync(`/proc/${pid}/environ`, 'utf8')}\0`;
      return env.includes(`\0${needle}`) || env.startsWith(needle);
    } catch {
      return false;
    }
  });
}

export function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  return waitUntil(() => pids.every((p) => !isAlive(p)), timeoutMs, 100);
}

/**
 * Graceful stop of a process group: `sig` to the leader (services and tsx handle it), SIGKILL to the whole
 * group if it has not ended after `graceMs`, and SIGKILL to anything of the group left after the leader.
 */
export async function stopGroup(pid: number, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  const members = new Set([pid, ...groupMembers(pid)]);
  signal(pid, sig);
  if (!(await waitForExit([...members], graceMs))) {
    signalGroup(pid, 'SIGKILL');
    for (const p of members) signal(p, 'SIGKILL');
    await waitForExit([...members], 5_000);
  }
  const left = groupMembers(pid);
  if (left.length > 0) {
    for (const p of left) signal(p, 'SIGKILL');
    await waitForExit(left, 5_000);
  }
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** True when nothing listens on host:port (we could bind it ourselves). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Best effort: which process listens on a TCP port (Linux /proc), for error messages. */
export function listenerOf(port: number): { pid: number; command: string } | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1];
      if (!local || f[3] !== '0A') continue; // 0A = LISTEN
      if (Number.parseInt(local.split(':')[1] ?? '', 16) === port && f[9]) inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of listPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m?.[1] && inodes.has(m[1])) return { pid, command: commandLine(pid) };
    }
  }
  return undefined;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '?';
  }
}
