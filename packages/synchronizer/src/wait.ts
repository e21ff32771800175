import { deadline } from '@open-bank/contract';
import { WaitTimeoutError } from './errors.ts';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface WaitOptions {
  /** Epoch milliseconds after which no new attempt starts. Shared by everything waited for in one run. */
  readonly deadline: number;
  /** The configured budget, named in the give-up message. */
  readonly budgetSeconds: number;
  readonly log: (line: string) => void;
  readonly clock?: Clock;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Tries `probe` until it succeeds, backing off exponentially, and throws WaitTimeoutError once the deadline
 * has passed. Logs when it starts waiting and each failed attempt, so a slow start never looks like a hang.
 */
export async function waitUntilReady<T>(
  what: string,
  probe: () => Promise<T>,
  options: WaitOptions,
): Promise<T> {
  const clock = options.clock ?? realClock;
  const maxDelay = options.maxDelayMs ?? 5_000;
  let delay = options.initialDelayMs ?? 250;
  const started = clock.now();
  options.log(`waiting for ${what}`);
  for (let attempt = 1; ; attempt++) {
    try {
      const remaining = options.deadline - clock.now();
      // A hanging connection cannot outlast the deadline: the probe is given up on (it goes on unheard).
      const ms = Math.max(remaining, 1_000);
      return await deadline(probe(), ms, () => new Error(`no answer within ${ms} ms`));
    } catch (e) {
      const reason = messageOf(e);
      const left = options.deadline - clock.now();
      if (left <= 0) throw new WaitTimeoutError(what, options.budgetSeconds, reason);
      const elapsed = ((clock.now() - started) / 1000).toFixed(1);
      const pause = Math.min(delay, left);
      options.log(
        `  ${what} not ready (attempt ${attempt}, ${elapsed}s): ${reason}; retrying in ${(pause / 1000).toFixed(1)}s`,
      );
      await clock.sleep(pause);
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
