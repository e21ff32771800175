import { createServiceContext, type Logger, sendJson } from '@open-bank/runtime';
import { Counter, Gauge } from 'prom-client';
import type { HeartbeatConfig } from './config.ts';
import { parseRateChange } from './control.ts';
import { InvalidRateError } from './errors.ts';
import { beatSender } from './send.ts';
import { type HeartbeatState, HeartbeatTicker, type Rate, type Timer } from './ticker.ts';

export { MAX_BEATS_PER_REQUEST } from './send.ts';

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
  const { codec, kafka, topology, logger, metrics, scope } = await createServiceContext('heartbeat', config, {
    logger: deps.logger,
  });
  return scope.start(async () => {
    const beatsCounter = new Counter({
      name: 'open_bank_heartbeat_beats_sent_total',
      help: 'Heartbeats acknowledged by Kafka',
      registers: [metrics.registry],
    });
    const producer = kafka.producer();
    const ticker = new HeartbeatTicker({
      batchSize: config.batchSize,
      intervalMs: config.intervalMs,
      timer: deps.timer,
      clock: deps.clock,
      send: beatSender({ producer, codec, topic: topology.heartbeat, onSent: (n) => beatsCounter.inc(n) }),
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

    const server = await scope.serve({
      host: config.httpHost,
      port: config.port,
      metrics: metrics.registry,
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
    // Registered before connecting: a connect that fails half-way still gets its disconnect.
    scope.defer('producer', () => producer.disconnect());
    // Independent, so at once: the registry look-up and the producer's connect.
    await scope.all([codec.prepare(['heartbeat']), producer.connect()]);
    await scope.open(
      'ticker',
      () => ticker.start(),
      () => ticker.stop(),
    );
    scope.ready();
    logger.info(
      {
        url: server.url,
        topic: topology.heartbeat.name,
        batchSize: config.batchSize,
        intervalMs: config.intervalMs,
      },
      'heartbeat started',
    );
    return {
      url: server.url,
      state: () => ticker.state(),
      update: (change) => ticker.update(change),
      stop: () => scope.stop(),
    };
  });
}
