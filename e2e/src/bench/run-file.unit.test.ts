import { describe, expect, it } from 'vitest';
import { RunFileError } from '../errors.ts';
import { header, row } from '../testing/bench-fixtures.ts';
import {
  fileStamp,
  formatRecord,
  maxLoadReached,
  parseRunFile,
  runFileName,
  runNameProblem,
} from './run-file.ts';

describe('run files', () => {
  it('are named <name>-<date-time>.jsonl', () => {
    expect(fileStamp(new Date('2026-11-21T22:05:09.123Z'))).toBe('2026-11-21T22-05-09Z');
    expect(runFileName('kafkajs', new Date('2026-11-21T22:05:09.123Z'))).toBe(
      'kafkajs-2026-11-21T22-05-09Z.jsonl',
    );
    expect(runNameProblem('kafkajs-tuned.1')).toBeUndefined();
    expect(runNameProblem('bad/name')).toBeDefined();
    expect(runNameProblem('')).toBeDefined();
  });

  it('round-trip header, rows and end; the run is named by its file', () => {
    const text = [
      header('kafkajs'),
      row(1, 0, 300),
      row(2, 50, 400),
      { kind: 'end', time: 't', loops: 2, timeouts: 0, maxLoad: 50, reason: 'done' } as const,
    ]
      .map(formatRecord)
      .join('');
    const run = parseRunFile('results/kafkajs-2026-11-21T22-05-09Z.jsonl', text);
    expect(run.name).toBe('kafkajs-2026-11-21T22-05-09Z');
    expect(run.header.machine.cpus).toBe(2);
    expect(run.rows.map((r) => r.ms)).toEqual([300, 400]);
    expect(maxLoadReached(run)).toBe(50);
  });

  it('drop a last line cut short, and take the last row load when the run did not end cleanly', () => {
    const text = `${formatRecord(header('x'))}${formatRecord(row(1, 100, 300))}{"kind":"row","lo`;
    const run = parseRunFile('x-1.jsonl', text);
    expect(run.rows).toHaveLength(1);
    expect(run.end).toBeUndefined();
    expect(maxLoadReached(run)).toBe(100);
  });

  it('refuse a file without header or with a broken line in the middle', () => {
    expect(() => parseRunFile('x.jsonl', formatRecord(row(1, 0, 1)))).toThrow(RunFileError);
    const broken = `${formatRecord(header('x'))}not json\n${formatRecord(row(1, 0, 1))}${formatRecord(row(2, 0, 1))}`;
    expect(() => parseRunFile('x.jsonl', broken)).toThrow(/line 2/);
  });
});
