import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApi } from './api.ts';
import { SchemaRegistryError } from './errors.ts';
import { requestListener } from './http.ts';
import { KafkaStore } from './kafka-store.ts';
import { type Logger, silentLogger } from './logger.ts';
import type { CompatibilityLevel } from './records.ts';
import { RegistryState } from './state.ts';

/** Process metrics (CPU, memory, event loop) for Prometheus, labelled as the other services' are. */
function processMetrics(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'schema-registry' });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface SchemaRegistryOptions {
  brokers: readonly string[];
  clientId: string;
  /** Storage topic; Confluent's default is `_schemas`. */
  topic?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logger?: Logger;
  /** Level used while no global level was set (Confluent: BACKWARD). */
  defaultCompatibility?: CompatibilityLevel;
  initTimeoutMs?: number;
  /** Serve process metrics at GET /metrics (default true). */
  metrics?: boolean;
}

export interface SchemaRegistry {
  /** Loads the storage topic, then listens; resolves with the base URL once requests are served. */
  start(): Promise<{ url: string }>;
  /** Stops listening and disconnects from Kafka; harmless when not started. */
  stop(): Promise<void>;
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function createSchemaRegistry(options: SchemaRegistryOptions): SchemaRegistry {
  const logger = options.logger ?? silentLogger;
  const topic = options.topic ?? '_schemas';
  const host = options.host ?? '127.0.0.1';
  let store: KafkaStore | undefined;
  let server: Server | undefined;
  let starting = false;

  async function stop(): Promise<void> {
    const s = server;
    server = undefined;
    if (s) {
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    }
    const k = store;
    store = undefined;
    await k?.stop();
  }

  return {
    async start() {
      if (starting || server)
        throw new SchemaRegistryError('ALREADY_STARTED', 'The schema registry is already started');
      starting = true;
      try {
        const state = new RegistryState(options.defaultCompatibility ?? 'BACKWARD');
        const kafkaStore = new KafkaStore({
          brokers: options.brokers,
          clientId: options.clientId,
          topic,
          logger,
          ...(options.initTimeoutMs !== undefined ? { initTimeoutMs: options.initTimeoutMs } : {}),
        });
        store = kafkaStore;
        const loaded = await kafkaStore.start((record) => state.apply(record));
        logger.info({ topic, ...loaded, ...state.stats() }, 'state loaded from the storage topic');
        const api = createApi(state, (records) => kafkaStore.write(records));
        const httpServer = createServer(
          requestListener(api, logger, options.metrics === false ? undefined : processMetrics()),
        );
        httpServer.keepAliveTimeout = 30_000;
        await new Promise<void>((resolve, reject) => {
          httpServer.once('error', reject);
          httpServer.listen(options.port ?? 8081, host, () => {
            httpServer.off('error', reject);
            resolve();
          });
        });
        server = httpServer;
        const { port } = httpServer.address() as AddressInfo;
        const url = formatUrl(host, port);
        logger.info({ url, topic }, 'schema registry listening');
        return { url };
      } catch (e) {
        await stop();
        throw e;
      } finally {
        starting = false;
      }
    },
    stop,
  };
}
