import type { Logger } from '@open-bank/runtime';
import { HeartbeatControlError } from '../errors.ts';
import { type HeartbeatRate, keptSample, type LiveFigures, liveFigures, type Scrape } from './figures.ts';
import { parsePrometheusText } from './prom-text.ts';

export interface LiveTarget {
  readonly name: string;
  /** The target's /metrics URL. */
  readonly url: string;
}

export interface LiveMetricsOptions {
  readonly targets: readonly LiveTarget[];
  /** Base URL of the heartbeat's control API (GET/PUT /state); undefined: not known. */
  readonly heartbeatUrl: string | undefined;
  /** Whether set_heartbeat_rate may change the heartbeat's rate. */
  readonly heartbeatControl: boolean;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Per request; a target slower than this counts as down for that scrape. */
  readonly timeoutMs?: number;
  /** A /metrics answer larger than this is cut off and counts as down. */
  readonly maxBytes?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** Scrapes kept for rates: the figures cover the last two intervals, smoothing batchy counters. */
const WINDOW = 3;
/** The highest rate set_heartbeat_rate accepts: beyond it the demo machine itself is the limit. */
export const MAX_CONTROL_RATE = 5_000;
const HEARTBEAT_INTERVAL_MS = 100;

/** Reads at most maxBytes of a response body as text; more fails. */
async function boundedText(res: Response, maxBytes: number): Promise<string> {
  const length = Number(res.headers.get('content-length') ?? Number.NaN);
  if (length > maxBytes) throw new Error(`answer of ${length} bytes is over the ${maxBytes} limit`);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`answer is over the ${maxBytes} byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface Subscriber {
  latest: LiveFigures | undefined;
  wake: (() => void) | undefined;
  done: boolean;
}

/**
 * One scrape loop for all live_metrics subscribers: it runs only while someone subscribes, scrapes every
 * target at most once per interval (the next scrape is timed from the end of the previous one, so slow
 * targets never pile requests up), and hands each subscriber only the newest figures, so a slow client
 * costs one pending value, never a queue.
 */
export class LiveMetricsSource {
  private readonly subscribers = new Set<Subscriber>();
  private readonly window: Scrape[] = [];
  private latest: LiveFigures | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private closed = false;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: LiveMetricsOptions) {
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? Math.min(1_500, options.intervalMs);
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
  }

  /** Open subscriptions. */
  get size(): number {
    return this.subscribers.size;
  }

  /** Whether the scrape loop runs (only while someone subscribes). */
  get scraping(): boolean {
    return this.running;
  }

  get heartbeatControl(): boolean {
    return this.options.heartbeatControl && this.options.heartbeatUrl !== undefined;
  }

  /** Figures after every scrape (the first once two scrapes give rates), until the iterator is returned. */
  subscribe(): AsyncIterableIterator<LiveFigures> {
    const sub: Subscriber = { latest: this.latest, wake: undefined, done: this.closed };
    this.subscribers.add(sub);
    this.start();
    const leave = () => {
      sub.done = true;
      sub.wake?.();
      this.subscribers.delete(sub);
      if (this.subscribers.size === 0) this.stop();
    };
    const iterator: AsyncIterableIterator<LiveFigures> = {
      next: async () => {
        while (!sub.done && sub.latest === undefined) {
          await new Promise<void>((resolve) => {
            sub.wake = resolve;
          });
          sub.wake = undefined;
        }
        if (sub.done) return { done: true, value: undefined };
        const value = sub.latest as LiveFigures;
        sub.latest = undefined;
        return { done: false, value };
      },
      return: async () => {
        leave();
        return { done: true, value: undefined };
      },
      throw: async (e: unknown) => {
        leave();
        throw e;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Sets the heartbeat to about `perSecond` beats a second (in steps of 10), when control is on. */
  async setHeartbeatRate(perSecond: number): Promise<HeartbeatRate> {
    const url = this.options.heartbeatUrl;
    if (!this.options.heartbeatControl || url === undefined) {
      throw new HeartbeatControlError(
        'HEARTBEAT_CONTROL_OFF',
        'setting the heartbeat rate is turned off here (LIVE_HEARTBEAT_CONTROL)',
      );
    }
    const rate = {
      batchSize: Math.round((perSecond * HEARTBEAT_INTERVAL_MS) / 1000),
      intervalMs: HEARTBEAT_INTERVAL_MS,
    };
    let res: Response;
    try {
      res = await this.fetch(`${url}/state`, {
        method: 'PUT',
        body: JSON.stringify(rate),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer();
    } catch (e) {
      throw new HeartbeatControlError(
        'HEARTBEAT_CONTROL_FAILED',
        `the heartbeat did not answer: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (!res.ok) {
      throw new HeartbeatControlError(
        'HEARTBEAT_CONTROL_FAILED',
        `the heartbeat answered HTTP ${res.status}`,
      );
    }
    return rate;
  }

  /** Ends every subscription and the loop. */
  close(): void {
    this.closed = true;
    for (const sub of this.subscribers) {
      sub.done = true;
      sub.wake?.();
    }
    this.subscribers.clear();
    this.stop();
  }

  private start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    void this.tick();
  }

  private stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    // A later subscriber starts from fresh scrapes, not from rates over the time nobody watched.
    this.window.length = 0;
    this.latest = undefined;
  }

  private async tick(): Promise<void> {
    try {
      const [scrape, heartbeat] = await Promise.all([this.scrape(), this.heartbeatRate()]);
      if (!this.running) return;
      this.window.push(scrape);
      if (this.window.length > WINDOW) this.window.shift();
      if (this.window.length >= 2) {
        this.latest = liveFigures(this.window, heartbeat, this.heartbeatControl);
        for (const sub of this.subscribers) {
          sub.latest = this.latest;
          sub.wake?.();
        }
      }
    } catch (e) {
      this.options.logger.warn({ err: e }, 'live metrics: a scrape failed');
    } finally {
      if (this.running) this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
    }
  }

  private async scrape(): Promise<Scrape> {
    const at = this.now();
    const results = await Promise.all(
      this.options.targets.map(async (t) => {
        try {
          const res = await this.fetch(t.url, { signal: AbortSignal.timeout(this.timeoutMs) });
          if (!res.ok) {
            await res.arrayBuffer();
            return [t.name, null] as const;
          }
          return [t.name, parsePrometheusText(await boundedText(res, this.maxBytes), keptSample)] as const;
        } catch (e) {
          this.options.logger.debug({ err: e, target: t.name }, 'live metrics: target did not answer');
          return [t.name, null] as const;
        }
      }),
    );
    return { at, targets: Object.fromEntries(results) };
  }

  private async heartbeatRate(): Promise<HeartbeatRate | null> {
    const url = this.options.heartbeatUrl;
    if (url === undefined) return null;
    try {
      const res = await this.fetch(`${url}/state`, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok) return null;
      const body = JSON.parse(await boundedText(res, 64 * 1024)) as Partial<HeartbeatRate>;
      return typeof body.batchSize === 'number' && typeof body.intervalMs === 'number' && body.intervalMs > 0
        ? { batchSize: body.batchSize, intervalMs: body.intervalMs }
        : null;
    } catch {
      return null;
    }
  }
}
