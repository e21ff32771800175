/**
 * Limits failed get_account guesses before any password is hashed. Three rules, each on its own key:
 *
 * - per username and client address: a few free failures, then one try at a time with a delay that doubles
 *   after each further failure (1 s, 2 s, 4 s, ...) up to `maxDelayMs`; a success clears it;
 * - per client address: at most `failuresPerMinute` failures in any minute, whatever the usernames;
 * - per username from every address (guessing spread over many addresses): more free failures, then the
 *   same doubling delay. Addresses that logged in as that user before are exempt, so an attacker cannot
 *   lock a real user out of a device they used already, and no delay ever exceeds `maxDelayMs`, so a new
 *   device waits at most that long per try.
 *
 * Attempts still being checked count as failures until they end, so concurrent guesses cannot slip past.
 * The state lives in this process's memory (one endpoint instance); streaks quiet for `forgetMs` are dropped.
 */
export interface ThrottleSettings {
  /** Failures per username and address before the delay starts. */
  readonly freeFailures: number;
  /** Failures per username (any address) before its delay starts. */
  readonly usernameFreeFailures: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Failures per client address in any 60 s. */
  readonly failuresPerMinute: number;
  /** A streak with no failure for this long is forgotten. */
  readonly forgetMs: number;
  /** Bound on remembered keys; the oldest go first. */
  readonly maxEntries: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  freeFailures: 3,
  usernameFreeFailures: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  failuresPerMinute: 20,
  forgetMs: 15 * 60_000,
  maxEntries: 100_000,
};

const MINUTE_MS = 60_000;
/** Addresses remembered per username as having logged in. */
const KNOWN_PER_USER = 16;

interface Streak {
  failures: number;
  lastFailure: number;
  inFlight: number;
}

interface Window {
  /** Times of the failures in the last minute, oldest first. */
  times: number[];
  inFlight: number;
}

/** One attempt let through: report how it ended, exactly once. */
export interface Attempt {
  succeeded(): void;
  failed(): void;
}

export type ThrottleDecision =
  | { readonly allowed: true; readonly attempt: Attempt }
  | { readonly allowed: false; readonly retryInMs: number };

/** The reason a throttled get_account answers. */
export function throttledReason(retryInMs: number): string {
  return `too many attempts, try again in ${Math.max(1, Math.ceil(retryInMs / 1000))} s`;
}

export class LoginThrottle {
  private readonly pairs = new Map<string, Streak>();
  private readonly users = new Map<string, Streak>();
  private readonly clients = new Map<string, Window>();
  private readonly known = new Map<string, Set<string>>();
  private calls = 0;

  constructor(
    private readonly now: () => number,
    private readonly settings: ThrottleSettings = DEFAULT_THROTTLE,
  ) {}

  /** Lets an attempt by `client` to log in as `username` go ahead, or says how long to wait. */
  begin(username: string, client: string): ThrottleDecision {
    const now = this.now();
    if (++this.calls % 1_000 === 0 || this.size > this.settings.maxEntries) this.sweep(now);
    const pairKey = `${client}\n${username}`;
    const pair = this.pairs.get(pairKey);
    const user = this.isKnown(username, client) ? undefined : this.users.get(username);
    const window = this.clients.get(client);
    const wait = Math.max(
      this.streakWait(pair, this.settings.freeFailures, now),
      this.streakWait(user, this.settings.usernameFreeFailures, now),
      this.windowWait(window, now),
    );
    if (wait > 0) return { allowed: false, retryInMs: wait };

    const p = touch(this.pairs, pairKey, pair);
    const u = touch(this.users, username, this.users.get(username));
    const w = this.clients.get(client) ?? { times: [], inFlight: 0 };
    this.clients.delete(client);
    this.clients.set(client, w);
    p.inFlight += 1;
    u.inFlight += 1;
    w.inFlight += 1;
    let settled = false;
    const settle = (failed: boolean) => {
      if (settled) return;
      settled = true;
      const at = this.now();
      p.inFlight -= 1;
      u.inFlight -= 1;
      w.inFlight -= 1;
      if (failed) {
        p.failures += 1;
        p.lastFailure = at;
        u.failures += 1;
        u.lastFailure = at;
        w.times.push(at);
      } else {
        p.failures = 0;
        u.failures = 0;
        this.remember(username, client);
      }
    };
    return { allowed: true, attempt: { succeeded: () => settle(false), failed: () => settle(true) } };
  }

  /** Remembered keys (for the bound on memory). */
  get size(): number {
    return this.pairs.size + this.users.size + this.clients.size;
  }

  private streakWait(streak: Streak | undefined, free: number, now: number): number {
    if (!streak || streak.failures + streak.inFlight < free) return 0;
    // Past the free failures, one try at a time.
    if (streak.inFlight > 0) return this.settings.baseDelayMs;
    const delay = Math.min(
      this.settings.baseDelayMs * 2 ** (streak.failures - free),
      this.settings.maxDelayMs,
    );
    return Math.max(0, streak.lastFailure + delay - now);
  }

  private windowWait(window: Window | undefined, now: number): number {
    if (!window) return 0;
    while (window.times.length > 0 && (window.times[0] ?? 0) <= now - MINUTE_MS) window.times.shift();
    if (window.times.length + window.inFlight < this.settings.failuresPerMinute) return 0;
    const oldest = window.times[0];
    return oldest === undefined ? this.settings.baseDelayMs : Math.max(1, oldest + MINUTE_MS - now);
  }

  private isKnown(username: string, client: string): boolean {
    return this.known.get(username)?.has(client) ?? false;
  }

  private remember(username: string, client: string): void {
    let set = this.known.get(username);
    if (!set) {
      set = new Set();
      this.known.set(username, set);
      if (this.known.size > this.settings.maxEntries)
        this.known.delete(this.known.keys().next().value as string);
    }
    set.delete(client);
    set.add(client);
    if (set.size > KNOWN_PER_USER) set.delete(set.values().next().value as string);
  }

  /** Drops quiet streaks and empty windows, then the oldest entries while above the bound. */
  private sweep(now: number): void {
    const quiet = (s: Streak) =>
      s.inFlight === 0 && (s.failures === 0 || now - s.lastFailure > this.settings.forgetMs);
    for (const [k, s] of this.pairs) if (quiet(s)) this.pairs.delete(k);
    for (const [k, s] of this.users) if (quiet(s)) this.users.delete(k);
    for (const [k, w] of this.clients) {
      this.windowWait(w, now);
      if (w.inFlight === 0 && w.times.length === 0) this.clients.delete(k);
    }
    for (const map of [this.pairs, this.users, this.clients] as Map<string, unknown>[]) {
      while (this.size > this.settings.maxEntries && map.size > 0)
        map.delete(map.keys().next().value as string);
    }
  }
}

/** The entry, moved to the end of the map's order (so the oldest are first), created when missing. */
function touch(map: Map<string, Streak>, key: string, existing: Streak | undefined): Streak {
  const streak = existing ?? { failures: 0, lastFailure: 0, inFlight: 0 };
  map.delete(key);
  map.set(key, streak);
  return streak;
}
