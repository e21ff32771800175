import { describe, expect, it } from 'vitest';
import { type BuildRecord, REPO_ROOT, staleReason } from './service-build.ts';

const a = `${REPO_ROOT}/packages/heartbeat/src/main.ts`;
const b = `${REPO_ROOT}/packages/runtime/src/index.ts`;
const record: BuildRecord = { version: 1, startedMs: 1_000, key: 'k', inputs: [a, b] };
const mtimes = (m: Record<string, number>) => (path: string) => m[path];

describe('staleReason', () => {
  it('builds when there is no build, or its settings differ', () => {
    expect(staleReason(undefined, 'k', mtimes({}))).toBe('no build yet');
    expect(staleReason(record, 'other', mtimes({ [a]: 1, [b]: 1 }))).toBe('the build settings changed');
  });

  it('keeps a build whose every input is older than its start', () => {
    expect(staleReason(record, 'k', mtimes({ [a]: 500, [b]: 999.9 }))).toBeNull();
  });

  it('rebuilds when an input changed after, or in the millisecond of, the start, or is gone', () => {
    expect(staleReason(record, 'k', mtimes({ [a]: 500, [b]: 1_500 }))).toBe(
      'packages/runtime/src/index.ts changed',
    );
    expect(staleReason(record, 'k', mtimes({ [a]: 1_000, [b]: 500 }))).toBe(
      'packages/heartbeat/src/main.ts changed',
    );
    expect(staleReason(record, 'k', mtimes({ [a]: 500 }))).toBe('packages/runtime/src/index.ts is gone');
  });
});
