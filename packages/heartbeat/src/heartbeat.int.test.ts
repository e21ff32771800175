import { randomUUID } from 'node:crypto';
import { parseConfig } from '@open-bank/config';
import { createLogger } from '@open-bank/runtime';
import { freePort, readTopic, spawnService, waitFor } from '@open-bank/runtime/testing';
import { stackEnv } from '@open-bank/stack/testing';
import { Codec, createKafka, createRegistry, resolveTopology } from '@open-bank/topology';
import { createScratchTopics, type ScratchTopics } from '@open-bank/topology/testing';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeatConfigSpec } from './config.ts';
import { MAX_BEATS_PER_REQUEST, type RunningHeartbeat, startHeartbeat } from './service.ts';
import { realTimer, type Timer } from './ticker.ts';

/** Ticks only when the test says so. */
function manualTimer(): Timer & { fire(): void } {
  let tick: (() => void) | undefined;
  return {
    every(_ms, fn) {
      tick = fn;
      return () => {
        tick = undefined;
      };
    },
    fire: () => tick?.(),
  };
}

// A scratch heartbeat topic per run, so beats of earlier runs or other tests never count.
const run = randomUUID().slice(0, 8);
let topics: string[] = [];
let scratch: ScratchTopics[] = [];
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/;

let kafka: Kafka;

beforeAll(async () => {
  const env = stackEnv();
  kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'heartbeat-test' });
  // Three scratch heartbeat topics: one per test that counts what lands on it.
  scratch = await Promise.all(
    ['a', 'b', 'c'].map((x) =>
      createScratchTopics(kafka, env.SCHEMA_REGISTRY_URL, `_hb_${run}_${x}`, ['heartbeat']),
    ),
  );
  topics = scratch.map((s) => s.topology.heartbeat.name);
});

afterAll(async () => {
  await Promise.all(scratch.map((s) => s.drop()));
});

async function beatsOn(topic: string): Promise<{ beat: bigint; key: string }[]> {
  const codec = new Codec(
    createRegistry(stackEnv().SCHEMA_REGISTRY_URL),
    resolveTopology({ heartbeat: topic }),
  );
  const messages = await readTopic(kafka, topic);
  const out: { beat: bigint; key: string }[] = [];
  for (const m of messages)
    out.push({ beat: (await codec.decode('heartbeat', m.value)).beat, key: m.key?.toString('utf8') ?? '' });
  return out;
}

describe('heartbeat', () => {
  let heartbeat: RunningHeartbeat | undefined;
  afterAll(async () => {
    await heartbeat?.stop();
  });

  it('is controlled over HTTP and sends batchSize beats per tick with increasing beats', async () => {
    const topic = topics[0] as string;
    const config = parseConfig(heartbeatConfigSpec, {
      ...stackEnv(),
      KAFKA_HEARTBEAT_TOPIC: topic,
      HTTP_HOST: '127.0.0.1',
    });
    heartbeat = await startHeartbeat(
      { ...config, port: 0 },
      { clock: () => new Date(), timer: realTimer, logger: createLogger('heartbeat', 'silent') },
    );
    const url = `${heartbeat.url}/state`;
    const put = (body: string) => fetch(url, { method: 'PUT', body });

    expect((await fetch(`${heartbeat.url}/health`)).status).toBe(200);
    const initial = await (await fetch(url)).json();
    expect(initial).toMatchObject({ batchSize: 0, intervalMs: 100, beatsSent: 0 });

    for (const bad of [
      'not json',
      '{}',
      '{"batchSize": -1}',
      '{"batchSize": 2.5}',
      '{"intervalMs": 5}',
      '{"batchSize": 100001}',
      '{"batchSize": 1, "speed": 2}',
    ]) {
      const res = await put(bad);
      expect(res.status, bad).toBe(400);
      expect((await res.json()).error, bad).toEqual(expect.any(String));
    }
    expect(await (await fetch(url)).json()).toMatchObject({ batchSize: 0, intervalMs: 100, beatsSent: 0 });

    const changed = await put('{"batchSize": 7, "intervalMs": 50}');
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ batchSize: 7, intervalMs: 50 });

    await waitFor(async () => (await (await fetch(url)).json()).beatsSent >= 140, {
      timeoutMs: 30_000,
      what: '140 beats sent',
    });
    expect((await put('{"batchSize": 0}')).status).toBe(200);
    const idle = await waitFor(
      async () => {
        const s = await (await fetch(url)).json();
        return !s.sending && s.carriedOver === 0 && s;
      },
      { what: 'the heartbeat to go idle' },
    );
    await new Promise((r) => setTimeout(r, 300));
    const after = await (await fetch(url)).json();
    expect(after.beatsSent).toBe(idle.beatsSent);

    const beats = await beatsOn(topic);
    expect(beats).toHaveLength(idle.beatsSent);
    expect(beats.map((b) => b.beat)).toEqual(beats.map((_, i) => BigInt(i)));
    // One send per tick, all its beats keyed by the local date-time of sending; a tick whose send had to
    // wait carries its beats into the next send, so a send holds a whole number of ticks.
    const sends = new Map<string, number>();
    for (const { key } of beats) {
      expect(key).toMatch(LOCAL_DATE_TIME);
      sends.set(key, (sends.get(key) ?? 0) + 1);
    }
    for (const count of sends.values()) expect(count % 7).toBe(0);
    const keys = [...sends.keys()];
    expect([...keys].sort()).toEqual(keys);

    const metrics = await (await fetch(`${heartbeat.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`open_bank_heartbeat_beats_sent_total\\{[^}]*\\} ${idle.beatsSent}\\b`),
    );
  });

  it('sends a tick larger than one produce request in several requests, beats still in order', async () => {
    const topic = topics[2] as string;
    const config = parseConfig(heartbeatConfigSpec, {
      ...stackEnv(),
      KAFKA_HEARTBEAT_TOPIC: topic,
      HTTP_HOST: '127.0.0.1',
      HEARTBEAT_BATCH_SIZE: String(2 * MAX_BEATS_PER_REQUEST + 5),
      HEARTBEAT_INTERVAL_MS: '60000',
    });
    const timer = manualTimer();
    const big = await startHeartbeat(
      { ...config, port: 0 },
      { clock: () => new Date(), timer, logger: createLogger('heartbeat', 'silent') },
    );
    try {
      timer.fire();
      const state = await waitFor(() => !big.state().sending && big.state(), { what: 'the big send' });
      expect(state).toMatchObject({ beatsSent: 2 * MAX_BEATS_PER_REQUEST + 5, sendFailures: 0 });
    } finally {
      await big.stop();
    }
    const beats = await beatsOn(topic);
    expect(beats.map((b) => b.beat)).toEqual(beats.map((_, i) => BigInt(i)));
    expect(beats).toHaveLength(2 * MAX_BEATS_PER_REQUEST + 5);
    expect(new Set(beats.map((b) => b.key)).size).toBe(1);
  });

  it('runs as a process from its env and stops cleanly on SIGTERM', async () => {
    const topic = topics[1] as string;
    const port = await freePort();
    const service = spawnService({
      name: 'heartbeat',
      entry: 'packages/heartbeat/src/main.ts',
      env: {
        ...stackEnv(),
        KAFKA_HEARTBEAT_TOPIC: topic,
        HTTP_HOST: '127.0.0.1',
        HEARTBEAT_PORT: String(port),
        HEARTBEAT_BATCH_SIZE: '3',
        HEARTBEAT_INTERVAL_MS: '20',
      },
    });
    try {
      await service.waitForHealthy(`http://127.0.0.1:${port}/health`);
      const state = await waitFor(
        async () => {
          const s = await (await fetch(`http://127.0.0.1:${port}/state`)).json();
          return s.beatsSent >= 30 && s;
        },
        { what: '30 beats from the process' },
      );
      expect(state).toMatchObject({ batchSize: 3, intervalMs: 20 });
      expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      const beats = await beatsOn(topic);
      expect(beats.length).toBeGreaterThanOrEqual(30);
      expect(beats.map((b) => b.beat)).toEqual(beats.map((_, i) => BigInt(i)));
    } finally {
      await service.kill();
    }
  });
});

describe('a start that fails half-way', () => {
  it('closes what it opened: with Kafka unreachable after the ops server started, the port is free again', async () => {
    const port = await freePort();
    const config = parseConfig(heartbeatConfigSpec, {
      ...stackEnv(),
      KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      HTTP_HOST: '127.0.0.1',
    });
    const started = startHeartbeat(
      { ...config, port: port },
      { clock: () => new Date(), timer: realTimer, logger: createLogger('heartbeat', 'silent') },
    );
    // While it tries to connect, the ops server answers 503 'starting'.
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 503,
      { timeoutMs: 10_000, what: 'the ops server saying starting' },
    );
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    expect(health.status).toBe('starting');
    await expect(started).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 90_000);
});
