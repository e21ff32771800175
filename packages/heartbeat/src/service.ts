import {
  createKafkaClient,
  createLogger,
  createMetrics,
  type Logger,
  type ProducerRecord,
  sendJson,
  startOpsServer,
} from '@open-bank/runtime';
import { Codec, createRegistry, keyFor, topologyOf } from '@open-bank/topology';
import { Counter, Gauge } from 'prom-client';
import type { HeartbeatConfig } from './config.ts';
import { parseRateChange } from './control.ts';
import { InvalidRateError, SendFailedError } from './errors.ts';
import { type HeartbeatState, HeartbeatTicker, type Rate, type Timer } from './ticker.ts';

/**
 * Beats per produce request. A client puts a request's messages for a partition into one record batch, and
 * the broker refuses batches over message.max.bytes (1 MiB by default); a beat takes about 45 bytes.
 */
export const MAX_BEATS_PER_REQUEST = 10_000;

export interface HeartbeatDeps {
  clock: () => Date;
  timer: Timer;
  logger?: Logger;
}

export interface RunningHeartbeat {
  /** Base URL of the control API, /metrics and /health. */
  readonly url: string;
  state(): HeartbeatState;
  update(change: Partial<Rate>): HeartbeatState;
  /** Stops ticking, waits for the send in flight, disconnects and closes the HTTP server. */
  stop(): Promise<void>;
}

export async function startHeartbeat(
  config: HeartbeatConfig,
  deps: HeartbeatDeps,
): Promise<RunningHeartbeat> {
  const logger = deps.logger ?? createLogger('heartbeat', config.logLevel);
  const metrics = createMetrics('heartbeat');
  const topology = topologyOf(config);
  const topic = topology.heartbeat;
  const codec = new Codec(createRegistry(config.schemaRegistryUrl), topology);
  const kafka = await createKafkaClient(
    config.kafkaClient,
    { brokers: config.brokers, clientId: config.clientId },
    logger,
  );
  const producer = kafka.producer();
  const health: { state: 'starting' | 'ok' | 'stopping' | 'failed' } = { state: 'starting' };

  const beatsCounter = new Counter({
    name: 'open_bank_heartbeat_beats_sent_total',
    help: 'Heartbeats acknowledged by Kafka',
    registers: [metrics.registry],
  });

  const send = async (first: number, count: number, now: Date): Promise<void> => {
    // Every beat of one send carries the same key: the local date-time of sending.
    const key = keyFor(topic, { beat: BigInt(first) }, now);
    for (let start = first; start < first + count; start += MAX_BEATS_PER_REQUEST) {
      const end = Math.min(start + MAX_BEATS_PER_REQUEST, first + count);
      const messages: ProducerRecord[] = new Array(end - start);
      for (let beat = start; beat < end; beat++)
        messages[beat - start] = {
          topic: topic.name,
          key,
          value: codec.encode('heartbeat', { beat: BigInt(beat) }),
        };
      try {
        await producer.send(messages);
      } catch (e) {
        throw new SendFailedError(start - first, e);
      }
      beatsCounter.inc(end - start);
    }
  };

  const ticker = new HeartbeatTicker({
    batchSize: config.batchSize,
    intervalMs: config.intervalMs,
    timer: deps.timer,
    clock: deps.clock,
    send,
    onSendError: (err, count) => logger.warn({ err, count }, 'sending beats failed; carrying them over'),
  });

  const gauge = (name: string, help: string, read: (s: HeartbeatState) => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(read(ticker.state()));
      },
    });
  gauge('open_bank_heartbeat_batch_size', 'Beats sent every interval', (s) => s.batchSize);
  gauge('open_bank_heartbeat_interval_ms', 'Milliseconds between two sends', (s) => s.intervalMs);
  gauge('open_bank_heartbeat_carried_over', 'Beats waiting for the send in flight', (s) => s.carriedOver);

  const server = await startOpsServer({
    host: config.httpHost,
    port: config.httpPort,
    metrics: metrics.registry,
    health: () => ({ state: health.state }),
    routes: {
      'GET /state': (_req, res) => sendJson(res, 200, ticker.state()),
      'PUT /state': (_req, res, body) => {
        try {
          const state = ticker.update(parseRateChange(body));
          logger.info({ batchSize: state.batchSize, intervalMs: state.intervalMs }, 'rate changed');
          sendJson(res, 200, state);
        } catch (e) {
          if (!(e instanceof InvalidRateError)) throw e;
          sendJson(res, 400, { error: e.message });
        }
      },
    },
  });

  try {
    await codec.prepare(['heartbeat']);
    await producer.connect();
  } catch (e) {
    health.state = 'failed';
    await producer.disconnect().catch(() => undefined);
    await server.close();
    throw e;
  }
  ticker.start();
  health.state = 'ok';
  logger.info(
    { url: server.url, topic: topic.name, batchSize: config.batchSize, intervalMs: config.intervalMs },
    'heartbeat started',
  );

  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    state: () => ticker.state(),
    update: (change) => ticker.update(change),
    stop: () => {
      stopping ??= (async () => {
        health.state = 'stopping';
        await ticker.stop();
        await producer.disconnect();
        await server.close();
      })();
      return stopping;
    },
  };
}
