import { describe, expect, it } from 'vitest';
import { retryWhile } from './retry.ts';

const failing = (errors: unknown[], value = 'done') => {
  let calls = 0;
  const fn = async () => {
    const e = errors[calls++];
    if (e !== undefined) throw e;
    return value;
  };
  return { fn, calls: () => calls };
};

describe('retryWhile', () => {
  it('tries again while the error is worth it, and answers the first success', async () => {
    const f = failing(['moving', 'moving']);
    expect(await retryWhile(f.fn, (e) => e === 'moving', { forMs: 1_000, pauseMs: 1 })).toBe('done');
    expect(f.calls()).toBe(3);
  });

  it('passes on at once an error not worth another try', async () => {
    const f = failing(['moving', 'fatal']);
    await expect(retryWhile(f.fn, (e) => e === 'moving', { forMs: 1_000, pauseMs: 1 })).rejects.toBe('fatal');
    expect(f.calls()).toBe(2);
  });

  it('gives up with the last error once its time is over', async () => {
    const f = failing(Array.from({ length: 1_000 }, () => 'moving'));
    await expect(retryWhile(f.fn, () => true, { forMs: 30, pauseMs: 5 })).rejects.toBe('moving');
    expect(f.calls()).toBeGreaterThan(1);
    expect(f.calls()).toBeLessThan(1_000);
  });
});
