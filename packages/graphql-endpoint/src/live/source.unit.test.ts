import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { HeartbeatControlError } from '../errors.ts';
import type { LiveFigures } from './figures.ts';
import { LiveMetricsSource } from './source.ts';

const logger = pino({ level: 'silent' });

/** A stand-in for the services' /metrics: counts requests, its counter grows by 10 per request. */
function fakeServices() {
  const requests: string[] = [];
  let beats = 0;
  const fetcher = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    requests.push(`${init?.method ?? 'GET'} ${url}${init?.body ? ` ${String(init.body)}` : ''}`);
    if (url.endsWith('/hang')) {
      return new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    }
    if (url.endsWith('/big')) return new Response('x 1\n'.repeat(10_000));
    if (url.endsWith('/state')) return Response.json({ batchSize: 5, intervalMs: 100, beatsSent: beats });
    beats += 10;
    return new Response(
      `# TYPE open_bank_heartbeat_beats_sent_total counter\nopen_bank_heartbeat_beats_sent_total ${beats}\nnodejs_other 1\n`,
    );
  }) as typeof fetch;
  return { requests, fetcher };
}

describe('LiveMetricsSource', () => {
  it('runs one scrape loop for every subscriber, only while someone subscribes', async () => {
    const { requests, fetcher } = fakeServices();
    let clock = 0;
    const source = new LiveMetricsSource({
      targets: [{ name: 'heartbeat', url: 'http://h/metrics' }],
      heartbeatUrl: 'http://h',
      heartbeatControl: false,
      intervalMs: 5,
      logger,
      fetch: fetcher,
      now: () => {
        clock += 1000;
        return clock;
      },
    });
    expect(source.scraping).toBe(false);
    const a = source.subscribe();
    const b = source.subscribe();
    const [fa, fb] = await Promise.all([a.next(), b.next()]);
    expect(fa.value).toBe(fb.value);
    // 10 beats per scrape, one scrape a (fake) second.
    expect(fa.value?.heartbeats_per_second).toBe(10);
    expect(fa.value?.heartbeat_target_per_second).toBe(50);
    expect(fa.value?.services).toEqual([{ name: 'heartbeat', up: true, cpu_percent: null, memory_mb: null }]);
    // Two scrapes for the first figures, each one GET of /metrics and one of /state: none per subscriber.
    const metricsRequests = requests.filter((r) => r === 'GET http://h/metrics').length;
    expect(metricsRequests).toBe(requests.filter((r) => r === 'GET http://h/state').length);
    expect(metricsRequests).toBeLessThanOrEqual(3);
    await a.return?.();
    expect(source.scraping).toBe(true);
    await b.return?.();
    expect(source.scraping).toBe(false);
    expect(await b.next()).toEqual({ done: true, value: undefined });
  });

  it('counts a target that answers too much or too late as down', async () => {
    const { fetcher } = fakeServices();
    const source = new LiveMetricsSource({
      targets: [
        { name: 'big', url: 'http://b/big' },
        { name: 'slow', url: 'http://s/hang' },
        { name: 'fine', url: 'http://f/metrics' },
      ],
      heartbeatUrl: undefined,
      heartbeatControl: false,
      intervalMs: 5,
      timeoutMs: 50,
      maxBytes: 1000,
      logger,
      fetch: fetcher,
    });
    const it = source.subscribe();
    const { value } = await it.next();
    expect((value as LiveFigures).services.map((s) => [s.name, s.up])).toEqual([
      ['big', false],
      ['slow', false],
      ['fine', true],
    ]);
    source.close();
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('sets the heartbeat rate only when control is on', async () => {
    const { requests, fetcher } = fakeServices();
    const options = { targets: [], heartbeatUrl: 'http://h', intervalMs: 1000, logger, fetch: fetcher };
    const off = new LiveMetricsSource({ ...options, heartbeatControl: false });
    await expect(off.setHeartbeatRate(100)).rejects.toThrow(HeartbeatControlError);
    await expect(off.setHeartbeatRate(100)).rejects.toThrow(/LIVE_HEARTBEAT_CONTROL/);
    expect(requests).toEqual([]);
    const on = new LiveMetricsSource({ ...options, heartbeatControl: true });
    expect(await on.setHeartbeatRate(1234)).toEqual({ batchSize: 123, intervalMs: 100 });
    expect(requests).toEqual(['PUT http://h/state {"batchSize":123,"intervalMs":100}']);
  });
});
