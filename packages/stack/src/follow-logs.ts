import { closeSync, openSync, readSync, statSync } from 'node:fs';

export interface FollowedLog {
  readonly name: string;
  readonly file: string;
}

/** Splits a chunk into complete lines, keeping an unfinished last line for the next chunk. */
export function splitLines(pending: string, chunk: string): { lines: string[]; rest: string } {
  const parts = (pending + chunk).split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts, rest };
}

export function prefixLine(name: string, width: number, line: string): string {
  return `${name.padEnd(width)} | ${line}`;
}

/**
 * Follows log files from their current end (like `tail -F`), writing each new line prefixed with its
 * part's name. Polls: log files are few, and polling survives files that appear or get truncated later.
 */
export function followLogs(logs: readonly FollowedLog[], write: (line: string) => void, everyMs = 300) {
  const width = Math.max(...logs.map((l) => l.name.length), 1);
  const offsets = new Map<string, number>();
  const pending = new Map<string, string>();
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  for (const l of logs) offsets.set(l.file, size(l.file));
  const poll = () => {
    for (const l of logs) {
      const end = size(l.file);
      let from = offsets.get(l.file) ?? 0;
      if (end < from) from = 0; // truncated or replaced
      if (end === from) continue;
      const len = Math.min(end - from, 1024 * 1024);
      const buf = Buffer.alloc(len);
      const fd = openSync(l.file, 'r');
      try {
        readSync(fd, buf, 0, len, from);
      } finally {
        closeSync(fd);
      }
      offsets.set(l.file, from + len);
      const { lines, rest } = splitLines(pending.get(l.file) ?? '', buf.toString('utf8'));
      pending.set(l.file, rest);
      for (const line of lines) write(prefixLine(l.name, width, line));
    }
  };
  const timer = setInterval(poll, everyMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
    },
  };
}
