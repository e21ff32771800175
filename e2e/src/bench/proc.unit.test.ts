import { describe, expect, it } from 'vitest';
import { cpuPercent, parseProcStat, parseVmRss, processTree, type TreeSample } from './proc.ts';

// A real line's shape; the command name holds a space and a parenthesis.
const STAT =
  '4242 (node (tsx) x) S 4200 4242 4242 0 -1 4194304 12345 0 0 0 750 250 3 1 20 0 11 0 987654 1234567890 45678 18446744073709551615 1 1 0 0 0 0 0 16781312 134234626 0 0 0 17 1 0 0 0 0 0';

describe('/proc/<pid>/stat', () => {
  it('reads pid, parent, CPU ticks (user + system) and start time past a tricky command name', () => {
    expect(parseProcStat(STAT)).toEqual({ pid: 4242, ppid: 4200, cpuTicks: 1000, startTicks: 987654 });
  });

  it('refuses what is not a stat line', () => {
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('1 (x) S')).toBeUndefined();
  });
});

describe('/proc/<pid>/status', () => {
  it('reads VmRSS in bytes, and nothing for a kernel thread', () => {
    expect(parseVmRss('Name:\tnode\nVmPeak:\t 900 kB\nVmRSS:\t  123456 kB\nThreads: 11\n')).toBe(
      123456 * 1024,
    );
    expect(parseVmRss('Name:\tkthreadd\nThreads: 1\n')).toBeUndefined();
  });
});

describe('process trees', () => {
  it('finds every descendant of a root, and only those', () => {
    const stats = [
      { pid: 1, ppid: 0 },
      { pid: 10, ppid: 1 },
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 10 },
      { pid: 13, ppid: 12 },
      { pid: 20, ppid: 1 },
    ];
    expect(processTree(10, stats).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(processTree(20, stats)).toEqual([20]);
  });
});

describe('CPU %', () => {
  const at = (atMs: number, ticks: [string, number][]): TreeSample => ({
    atMs,
    ticks: new Map(ticks),
    rssBytes: 0,
  });

  it('sums the tree over the interval, 100 being one core', () => {
    const before = at(0, [
      ['10:1', 100],
      ['11:5', 50],
    ]);
    const after = at(2_000, [
      ['10:1', 250],
      ['11:5', 100],
    ]);
    // 150 + 50 ticks at 100/s over 2 s = 1 core
    expect(cpuPercent(before, after, 100)).toBeCloseTo(100);
  });

  it('counts only processes seen at both ends (a reused pid is another process)', () => {
    const before = at(0, [
      ['10:1', 100],
      ['11:5', 50],
    ]);
    const after = at(1_000, [
      ['10:1', 110],
      ['11:9', 5_000],
      ['12:9', 70],
    ]);
    expect(cpuPercent(before, after, 100)).toBeCloseTo(10);
    expect(cpuPercent(after, after, 100)).toBe(0);
  });
});
