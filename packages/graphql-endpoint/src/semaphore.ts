/**
 * At most `limit` tasks at once, the rest wait in order. Password hashing runs through one of these: scrypt
 * runs on libuv's small thread pool (4 threads), which DNS lookups and file reads share, so a flood of logins
 * may take some of it but never all.
 */
export class Semaphore {
  private active = 0;
  private highest = 0;
  private started = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`limit must be a whole number >= 1, got ${limit}`);
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Tasks started in all. */
  get total(): number {
    return this.started;
  }

  /** The most tasks ever running at once (what the bound is checked with). */
  get peak(): number {
    return this.highest;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    this.highest = Math.max(this.highest, this.active);
    this.started += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The turn passes straight to the next task, so `active` never drops below what is running.
      if (next) next();
      else this.active -= 1;
    }
  }
}
