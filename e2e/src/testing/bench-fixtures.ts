import type { RunHeader, RunRow } from '../bench/run-file.ts';

/** Records as a run writes them, for the unit tests of parsing and reporting. */
export const header = (name: string): RunHeader => ({
  kind: 'header',
  name,
  startedAt: '2026-11-21T22:05:09.000Z',
  git: { commit: 'abc123', dirty: false },
  machine: { cpus: 2, cpuModel: 'Test CPU', memoryBytes: 8 * 1024 ** 3, platform: 'linux x64', node: 'v20' },
  target: { kind: 'local' },
  options: { loopMs: 1000 },
});

export const row = (loop: number, load: number, ms: number, more: Partial<RunRow> = {}): RunRow => ({
  kind: 'row',
  loop,
  time: '2026-11-21T22:05:10.000Z',
  load,
  interaction: 'deposit 10',
  ms,
  timedOut: ms > 5000,
  ...more,
});
