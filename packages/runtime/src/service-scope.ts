import { Codec, createRegistry, type KafkaConfig, type Topology, topologyOf } from '@open-bank/topology';
import { createKafkaClient } from './kafka/client.ts';
import type { KafkaClient, KafkaClientName, KafkaConnectionConfig } from './kafka/types.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type ServiceMetrics } from './metrics.ts';
import { type Health, type HealthState, type OpsServerOptions, startOpsServer } from './ops-server.ts';

type Close = () => unknown;

/**
 * What a service opened, in start order, closed in reverse exactly once: at stop, or when its start fails
 * half-way (then only what was opened so far). It also holds the service's health: 'starting' until
 * `ready()`, 'failed' after a failed start or a fatal error, 'stopping' once `stop()` began.
 */
export class ServiceScope {
  private readonly closes: Array<{ what: string; close: Close }> = [];
  private state: HealthState = 'starting';
  private failure: Record<string, unknown> | undefined;
  private detail: () => Record<string, unknown> = () => ({});
  private stopping: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly logger: Logger,
  ) {}

  /** Registers how to close something just opened (or about to be: a close must then be safe to call). */
  defer(what: string, close: Close): void {
    if (this.stopping) throw new Error(`${this.name}: ${what} opened after stop`);
    this.closes.push({ what, close });
  }

  /** Opens one resource and registers its close in the same step, so nothing opened goes unclosed. */
  async open<T>(what: string, open: () => Promise<T> | T, close: (resource: T) => unknown): Promise<T> {
    const resource = await open();
    this.defer(what, () => close(resource));
    return resource;
  }

  /**
   * Runs independent start steps at once. Unlike Promise.all it waits for every step, so each close a step
   * registers is registered before a failed start closes them, then throws the first failure.
   */
  async all<const T extends readonly unknown[]>(steps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
    const settled = await Promise.allSettled(steps);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
  }

  /** What /health shows besides the state, read at each request. */
  describe(detail: () => Record<string, unknown>): void {
    this.detail = detail;
  }

  ready(): void {
    if (this.state === 'starting') this.state = 'ok';
  }

  /** A failure the service cannot recover from (a crashed consumer): /health says so until stopped. */
  fail(detail: Record<string, unknown> = {}): void {
    if (this.state === 'stopping') return;
    this.state = 'failed';
    this.failure = detail;
  }

  health(): Health {
    return { state: this.state, detail: { ...this.detail(), ...this.failure } };
  }

  /** Closes everything registered, last opened first; a failing close is logged and the others still run. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.state !== 'failed') this.state = 'stopping';
      for (const { what, close } of this.closes.reverse()) {
        try {
          await close();
        } catch (e) {
          this.logger.error({ err: e, what }, `${this.name}: closing ${what} failed`);
        }
      }
    })();
    return this.stopping;
  }

  /**
   * Runs a service's start in this scope: when it throws, the scope is marked failed, whatever was opened is
   * closed, and the error is thrown on.
   */
  async start<T>(start: (scope: ServiceScope) => Promise<T>): Promise<T> {
    try {
      return await start(this);
    } catch (e) {
      this.state = 'failed';
      await this.stop();
      throw e;
    }
  }

  /** Starts the ops server (/health from this scope, /metrics, `routes`), closed with the scope. */
  async serve(options: Omit<OpsServerOptions, 'health'>): Promise<{ url: string; port: number }> {
    const server = await this.open(
      'ops server',
      () => startOpsServer({ ...options, health: () => this.health() }),
      (s) => s.close(),
    );
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    return { url: server.url, port };
  }
}

/** What every service's domain code is handed: the Kafka port, the codec over the topology, logs and metrics. */
export interface ServiceContext {
  readonly kafka: KafkaClient;
  readonly codec: Codec;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly scope: ServiceScope;
}

export type ServiceContextConfig = KafkaConfig & {
  readonly logLevel: string;
  readonly kafkaClient: KafkaClientName;
};

export interface ServiceContextOptions<M extends ServiceMetrics> {
  readonly logger?: Logger | undefined;
  /** The service's own metrics (built on createMetrics); createMetrics(name) when not given. */
  readonly metrics?: M | undefined;
  readonly kafka?: Partial<Pick<KafkaConnectionConfig, 'onRetry'>>;
}

/** A service's scope and context; nothing in it holds a connection yet (clients connect when used). */
export async function createServiceContext<M extends ServiceMetrics = ServiceMetrics>(
  name: string,
  config: ServiceContextConfig,
  options: ServiceContextOptions<M> = {},
): Promise<ServiceContext & { readonly metrics: M }> {
  const logger = options.logger ?? createLogger(name, config.logLevel);
  const metrics = options.metrics ?? (createMetrics(name) as M);
  const topology = topologyOf(config);
  const codec = new Codec(createRegistry(config.schemaRegistryUrl), topology);
  const kafka = await createKafkaClient(
    config.kafkaClient,
    { brokers: config.brokers, clientId: config.clientId, ...options.kafka },
    logger,
  );
  return { kafka, codec, topology, logger, metrics, scope: new ServiceScope(name, logger) };
}
