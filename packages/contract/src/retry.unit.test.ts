import { describe, expect, it } from 'vitest';
import { deadline, retryWhile } from './retry.ts';

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

describe('deadline', () => {
  const never = new Promise<string>(() => undefined);

  it("answers the work's value when it comes in time", async () => {
    expect(await deadline(Promise.resolve('done'), 1_000, () => new Error('late'))).toBe('done');
  });

  it("rejects with the time-out's error when the work is late", async () => {
    await expect(deadline(never, 5, () => new Error('late'))).rejects.toThrow('late');
  });

  it('resolves with undefined when the time-out has no error', async () => {
    expect(await deadline(never, 5, () => undefined)).toBeUndefined();
  });

  it("ignores the work's failure after the time-out: no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const seen = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', seen);
    try {
      const late = new Promise<string>((_, reject) => setTimeout(() => reject(new Error('too late')), 20));
      expect(await deadline(late, 5, () => undefined)).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', seen);
    }
  });

  it("passes on the work's own failure", async () => {
    await expect(deadline(Promise.reject(new Error('broken')), 1_000, () => undefined)).rejects.toThrow(
      'broken',
    );
  });
});
