import { BATCH_SIZE, INTERVAL_MS } from './config.ts';
import { InvalidRateError, SendFailedError } from './errors.ts';

/** Fixed-rate scheduling, injected so the ticking logic runs in tests without real time. */
export interface Timer {
  /** Calls `fn` every `ms` milliseconds until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const realTimer: Timer = {
  every(ms, fn) {
    const handle = setInterval(fn, ms);
    return () => clearInterval(handle);
  },
};

/**
 * Sends the beats `first`, `first + 1`, ... `first + count - 1`, all stamped with `now`; resolves once Kafka
 * has acknowledged every one of them. A send that fails part way throws SendFailedError saying how many
 * of the first beats did go out.
 */
export type SendBeats = (first: number, count: number, now: Date) => Promise<void>;

export interface Rate {
  batchSize: number;
  intervalMs: number;
}

export interface HeartbeatState extends Rate {
  /** Beats Kafka has acknowledged since this process started. */
  beatsSent: number;
  /** Number the next beat will get; beats count from 0 at every start. */
  nextBeat: number;
  /** Whether a send is in flight right now. */
  sending: boolean;
  /** Beats due by the rate but waiting for the send in flight to finish; they go out with the next tick. */
  carriedOver: number;
  /** Ticks that came while a send was still in flight, so their beats were carried over. */
  busyTicks: number;
  /** Beats given up because more than `maxCarriedOver` were waiting. */
  beatsDropped: number;
  sendFailures: number;
}

export interface TickerOptions extends Rate {
  timer: Timer;
  clock: () => Date;
  send: SendBeats;
  /** Told about a failed send; its beats are carried over and tried again on the next tick. */
  onSendError?: (error: unknown, count: number) => void;
  /**
   * Most beats that may wait for a slow or failing Kafka. Past it, beats are dropped (and counted) rather
   * than growing a backlog that would hit the topic as one burst once Kafka is back.
   */
  maxCarriedOver?: number;
}

export const DEFAULT_MAX_CARRIED_OVER = 10 * BATCH_SIZE.max;

/**
 * The heartbeat's clock work: every interval, `batchSize` more beats are due; they go out in one send unless
 * a send is still in flight, in which case they wait for the next tick instead of piling up concurrent sends.
 */
export class HeartbeatTicker {
  private rate: Rate;
  private readonly maxCarriedOver: number;
  private cancelTimer: (() => void) | undefined;
  private inFlight: Promise<void> | undefined;
  private due = 0;
  private nextBeat = 0;
  private beatsSent = 0;
  private busyTicks = 0;
  private beatsDropped = 0;
  private sendFailures = 0;

  constructor(private readonly options: TickerOptions) {
    this.rate = checkRate({ batchSize: options.batchSize, intervalMs: options.intervalMs });
    this.maxCarriedOver = options.maxCarriedOver ?? DEFAULT_MAX_CARRIED_OVER;
  }

  start(): void {
    if (this.cancelTimer) return;
    this.cancelTimer = this.options.timer.every(this.rate.intervalMs, () => this.tick());
  }

  /** Applies a new rate at once: a new interval restarts the timer, counting from now. */
  update(change: Partial<Rate>): HeartbeatState {
    const next = checkRate({ ...this.rate, ...change });
    const restart = this.cancelTimer !== undefined && next.intervalMs !== this.rate.intervalMs;
    this.rate = next;
    if (restart) {
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      this.start();
    }
    return this.state();
  }

  state(): HeartbeatState {
    return {
      ...this.rate,
      beatsSent: this.beatsSent,
      nextBeat: this.nextBeat,
      sending: this.inFlight !== undefined,
      carriedOver: this.due,
      busyTicks: this.busyTicks,
      beatsDropped: this.beatsDropped,
      sendFailures: this.sendFailures,
    };
  }

  /** Stops ticking and waits for the send in flight; beats still carried over are not sent. */
  async stop(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.inFlight;
  }

  /** One interval has passed. */
  tick(): void {
    this.addDue(this.rate.batchSize);
    if (this.inFlight) {
      if (this.rate.batchSize > 0) this.busyTicks++;
      return;
    }
    if (this.due === 0) return;
    const first = this.nextBeat;
    const count = this.due;
    this.nextBeat += count;
    this.due = 0;
    this.inFlight = this.sendOnce(first, count);
  }

  private async sendOnce(first: number, count: number): Promise<void> {
    try {
      await this.options.send(first, count, this.options.clock());
      this.beatsSent += count;
    } catch (e) {
      const sent = e instanceof SendFailedError ? Math.min(Math.max(e.sent, 0), count) : 0;
      this.sendFailures++;
      this.beatsSent += sent;
      // Nothing else was sent meanwhile, so the unsent numbers can be handed out again and stay gap-free.
      this.nextBeat = first + sent;
      this.addDue(count - sent);
      this.options.onSendError?.(e, count - sent);
    } finally {
      this.inFlight = undefined;
    }
  }

  private addDue(count: number): void {
    const room = this.maxCarriedOver - this.due;
    const added = Math.min(count, Math.max(room, 0));
    this.due += added;
    this.beatsDropped += count - added;
  }
}

export function checkRate(rate: Rate): Rate {
  const problems = rateProblems(rate);
  if (problems.length > 0) throw new InvalidRateError(problems.join('; '));
  return { batchSize: rate.batchSize, intervalMs: rate.intervalMs };
}

export function rateProblems(rate: Partial<Record<keyof Rate, unknown>>): string[] {
  const problems: string[] = [];
  const check = (name: keyof Rate, bounds: { min: number; max: number }) => {
    const v = rate[name];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < bounds.min || v > bounds.max)
      problems.push(
        `${name} must be a whole number from ${bounds.min} to ${bounds.max}, got ${JSON.stringify(v)}`,
      );
  };
  check('batchSize', BATCH_SIZE);
  check('intervalMs', INTERVAL_MS);
  return problems;
}
