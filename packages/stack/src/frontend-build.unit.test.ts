import { describe, expect, it } from 'vitest';
import { buildReason } from './frontend-build.ts';

describe('buildReason', () => {
  it('builds when there is no build, or a source is newer than it', () => {
    expect(buildReason(null, 0)).toBe('no build yet');
    expect(buildReason(1_000, 2_000)).toMatch(/sources changed/);
  });

  it('keeps a build newer than every source', () => {
    expect(buildReason(2_000, 1_000)).toBeNull();
    expect(buildReason(2_000, 2_000)).toBeNull();
  });
});
