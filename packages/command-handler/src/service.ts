import type { Health, Logger } from '@open-bank/runtime';
import { ConsumerLoop, createServiceContext } from '@open-bank/runtime';
import { newBankIban, newToken } from '@open-bank/topology';
import { type CommandHandlerConfig, DB_NAME, DB_USER, GROUP_ID, groupInstanceId } from './config.ts';
import { createPool, type DbSettings } from './db.ts';
import type { AccountGenerators } from './decide.ts';
import { COMMAND_TOPICS, commandBatchHandler, createHandlerMetrics } from './handle.ts';
import { OUTPUT_TOPICS, OutputEncoder } from './outputs.ts';
import { OutboxRelay } from './relay.ts';
import { CommandStore } from './store.ts';

export interface CommandHandlerDeps {
  /** IBAN and token sources for new accounts; cryptographically random by default. */
  readonly generate?: AccountGenerators;
  readonly now?: () => Date;
  readonly logger?: Logger;
}

export interface CommandHandler {
  /** Base URL of /metrics and /health. */
  readonly url: string;
  health(): Health;
  /** Stops fetching, finishes the batches in hand, hands the relay on, then closes every connection. */
  stop(): Promise<void>;
}

export async function startCommandHandler(
  config: CommandHandlerConfig,
  deps: CommandHandlerDeps = {},
): Promise<CommandHandler> {
  const metrics = createHandlerMetrics('command-handler');
  const context = await createServiceContext('command-handler', config, {
    logger: deps.logger,
    metrics,
    kafka: { onRetry: (error) => metrics.kafkaTransactionRetries.inc({ error }) },
  });
  const { kafka, codec, topology, logger, scope } = context;
  return scope.start(async () => {
    const server = await scope.serve({ host: config.httpHost, port: config.port, metrics: metrics.registry });
    const db: DbSettings = {
      host: config.dbHostname,
      port: config.dbPort,
      user: DB_USER,
      password: config.dbPassword,
      database: DB_NAME,
      max: config.dbPoolSize,
    };
    const pool = await scope.open(
      'database pool',
      () => createPool(db),
      (p) => p.end(),
    );
    const relay = new OutboxRelay({
      kafka,
      db,
      logger,
      hops: metrics.hops,
      onRetry: (error) => metrics.kafkaTransactionRetries.inc({ error }),
      onPublished: (n) => metrics.relayed.inc(n),
    });
    scope.defer('outbox relay', () => relay.stop());
    scope.describe(() => ({ instance: config.instance, relaying: relay.leading }));

    const store = new CommandStore(pool, {
      encoder: new OutputEncoder(codec, deps.now ?? (() => new Date())),
      onRetry: (sqlstate) => metrics.retries.inc({ sqlstate }),
    });
    const loop = new ConsumerLoop({
      ...context,
      groupId: GROUP_ID,
      // A handler restarted under its instance name is the same static group member: it gets its partitions
      // back as soon as it rejoins (on the clients that have static membership; kafkajs has none).
      groupInstanceId: groupInstanceId(config.instance),
      topics: COMMAND_TOPICS,
      // Commands written before the first start must be answered too.
      fromBeginning: true,
      // balancedb keeps the consumed position, in the transaction of each batch.
      offsetCommit: 'background',
      partitionsConsumedConcurrently: config.concurrency,
      handle: commandBatchHandler({
        store,
        topology,
        logger,
        metrics,
        generate: deps.generate ?? { iban: () => newBankIban(), token: () => newToken() },
      }),
      onFatal: (error) => scope.fail({ error: error.message }),
    });
    scope.defer('consumer loop', () => loop.stop());
    // At once: the registry look-ups and the loop's connections; it consumes once the outputs can be encoded.
    await scope.all([codec.prepare(OUTPUT_TOPICS), loop.connect()]);
    // Every instance runs a relay; one of them holds the lease and publishes what all of them decide.
    relay.start();
    await loop.start();
    scope.ready();
    logger.info(
      { url: server.url, instance: config.instance, concurrency: config.concurrency },
      'command handler consuming',
    );
    return { url: server.url, health: () => scope.health(), stop: () => scope.stop() };
  });
}
