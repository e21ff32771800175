import { describe, expect, it } from 'vitest';
import { WaitTimeoutError } from './errors.ts';
import { type Clock, waitUntilReady } from './wait.ts';

/** A clock whose sleeps advance time instantly, so backoff is tested without waiting. */
function fakeClock(): Clock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe('waitUntilReady', () => {
  it('returns the first success, backing off exponentially up to the maximum', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    let calls = 0;
    const value = await waitUntilReady(
      'thing',
      async () => {
        calls++;
        if (calls < 6) throw new Error('connection refused');
        return 'ready';
      },
      { deadline: 60_000, budgetSeconds: 60, log: (l) => lines.push(l), clock, maxDelayMs: 2_000 },
    );
    expect(value).toBe('ready');
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000, 2000]);
    expect(lines[0]).toBe('waiting for thing');
    expect(lines[1]).toMatch(/thing not ready \(attempt 1, 0\.0s\): connection refused; retrying in 0\.3s/);
    expect(lines).toHaveLength(6);
  });

  it('gives up after the deadline, naming what it waited for and the last error', async () => {
    const clock = fakeClock();
    const attempt = waitUntilReady(
      'Kafka broker at nowhere:9',
      async () => {
        throw new Error('ECONNREFUSED');
      },
      { deadline: 3_000, budgetSeconds: 3, log: () => undefined, clock },
    );
    await expect(attempt).rejects.toThrow(WaitTimeoutError);
    await expect(attempt).rejects.toThrow(
      'gave up waiting for Kafka broker at nowhere:9 after 3s (SYNC_WAIT_SECONDS): ECONNREFUSED',
    );
    // The last sleep is cut to the deadline rather than overshooting it.
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(3_000);
  });

  it('does not let a hanging probe outlast the deadline', async () => {
    const attempt = waitUntilReady('hang', () => new Promise<never>(() => undefined), {
      deadline: Date.now(),
      budgetSeconds: 0,
      log: () => undefined,
    });
    await expect(attempt).rejects.toThrow(/gave up waiting for hang after 0s .*no answer within 1000 ms/);
  });
});
