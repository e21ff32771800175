import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackBusyError } from './errors.ts';
import { isAlive, procStartTime } from './processes.ts';

/** Who holds a lock or a lease: pid and kernel start time, so a recycled pid does not count. */
export function holderTag(pid = process.pid): string {
  return `${pid} ${procStartTime(pid) ?? ''}`.trim();
}

export function holderAlive(tag: string): boolean {
  const [pid, start] = tag.trim().split(' ');
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 && isAlive(n, start || undefined);
}

/**
 * Runs fn holding an exclusive lock file (O_EXCL). A lock left by a process that died is taken over;
 * a live holder is waited for up to waitMs.
 */
export async function withFileLock<T>(file: string, what: string, waitMs: number, fn: () => Promise<T>) {
  mkdirSync(dirname(file), { recursive: true });
  const me = holderTag();
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, me);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = '';
      try {
        holder = readFileSync(file, 'utf8');
      } catch {
        continue; // released meanwhile
      }
      if (holder.trim() === me) {
        throw new StackBusyError(`${what}: this process already holds the lock`);
      }
      if (holder.trim() !== '' && !holderAlive(holder)) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StackBusyError(`${what}: busy (lock held by pid ${holder.split(' ')[0] || '?'})`);
      }
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
