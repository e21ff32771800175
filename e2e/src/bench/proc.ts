/** What a resource sample needs of `/proc/<pid>/stat`. */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** User plus system CPU time, in clock ticks. */
  readonly cpuTicks: number;
  /** Start time after boot, in clock ticks: with the pid it names one process even when pids are reused. */
  readonly startTicks: number;
}

/**
 * Parses `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may itself hold spaces and
 * parentheses, so the numbered fields are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is field 3 (state); field k is rest[k - 3].
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (k: number) => Number(rest[k - 3]);
  const stat = { pid, ppid: field(4), cpuTicks: field(14) + field(15), startTicks: field(22) };
  return Object.values(stat).every(Number.isFinite) ? stat : undefined;
}

/** Resident memory from `/proc/<pid>/status` (`VmRSS: 1234 kB`), in bytes; undefined for kernel threads. */
export function parseVmRss(statusText: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** The pid and all its descendants, from every process's parent. */
export function processTree(root: number, stats: readonly Pick<ProcStat, 'pid' | 'ppid'>[]): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  const out: number[] = [];
  const todo = [root];
  const seen = new Set<number>();
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** One component's processes at one moment. */
export interface TreeSample {
  readonly atMs: number;
  /** `pid:startTicks` → CPU ticks so far. */
  readonly ticks: ReadonlyMap<string, number>;
  readonly rssBytes: number;
}

export const processKey = (s: Pick<ProcStat, 'pid' | 'startTicks'>) => `${s.pid}:${s.startTicks}`;

/**
 * CPU % of a process tree between two samples (100 = one core busy). Only processes present in both count:
 * one that started in between has no earlier figure and one that ended has no later one (a short-lived
 * PostgreSQL backend is then missed, which undercounts a little rather than adding a whole lifetime).
 */
export function cpuPercent(before: TreeSample, after: TreeSample, clockTicksPerSecond: number): number {
  const seconds = (after.atMs - before.atMs) / 1000;
  if (seconds <= 0) return 0;
  let ticks = 0;
  for (const [key, now] of after.ticks) {
    const then = before.ticks.get(key);
    if (then !== undefined && now >= then) ticks += now - then;
  }
  return (ticks / clockTicksPerSecond / seconds) * 100;
}
