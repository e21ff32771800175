import type { Batch, Health, Logger, Outgoing } from '@open-bank/runtime';
import {
  ConsumerLoop,
  createKafkaClient,
  createLogger,
  createMetrics,
  nowMicros,
  observeHop,
  parseTrace,
  startOpsServer,
  TraceCheckpoint,
} from '@open-bank/runtime';
import { Codec, createRegistry, newBankIban, newToken, topologyOf } from '@open-bank/topology';
import { Counter } from 'prom-client';
import { type CommandHandlerConfig, DB_NAME, DB_USER, GROUP_ID } from './config.ts';
import { createPool, type DbSettings } from './db.ts';
import type { AccountGenerators } from './decide.ts';
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

const TOPICS = ['confirmAccountCreation', 'confirmMoneyTransfer'] as const;
type CommandTopic = (typeof TOPICS)[number];

export async function startCommandHandler(
  config: CommandHandlerConfig,
  deps: CommandHandlerDeps = {},
): Promise<CommandHandler> {
  const logger = deps.logger ?? createLogger('command-handler', config.logLevel);
  const now = deps.now ?? (() => new Date());
  const generate = deps.generate ?? { iban: () => newBankIban(), token: () => newToken() };
  const metrics = createMetrics('command-handler');
  const commands = new Counter({
    name: 'open_bank_commands_total',
    help: 'Commands answered, by kind and answer (confirmed or the failure reason)',
    labelNames: ['kind', 'answer'],
    registers: [metrics.registry],
  });
  const retries = new Counter({
    name: 'open_bank_db_transaction_retries_total',
    help: 'balancedb transactions run again after a serialization failure, deadlock or duplicate command',
    labelNames: ['sqlstate'],
    registers: [metrics.registry],
  });
  const relayed = new Counter({
    name: 'open_bank_outbox_relayed_total',
    help: 'Records the outbox relay of this instance published',
    registers: [metrics.registry],
  });

  let health: Health = { state: 'starting' };
  const ops = await startOpsServer({
    host: config.httpHost,
    port: config.port,
    metrics: metrics.registry,
    health: () => health,
  });

  const topology = topologyOf(config);
  const db: DbSettings = {
    host: config.dbHostname,
    port: config.dbPort,
    user: DB_USER,
    password: config.dbPassword,
    database: DB_NAME,
    max: config.dbPoolSize,
  };
  const pool = createPool(db);
  const kafka = await createKafkaClient(
    config.kafkaClient,
    {
      brokers: config.brokers,
      clientId: config.clientId,
      onRetry: (error) => metrics.kafkaTransactionRetries.inc({ error }),
    },
    logger,
  );
  const relay = new OutboxRelay({
    kafka,
    db,
    logger,
    hops: metrics.hops,
    onRetry: (error) => metrics.kafkaTransactionRetries.inc({ error }),
    onPublished: (n) => relayed.inc(n),
  });
  let loop: ConsumerLoop<CommandTopic> | undefined;

  const close = async () => {
    await loop?.stop().catch((e: unknown) => logger.error({ err: e }, 'stopping the consumer loop failed'));
    await relay.stop().catch((e: unknown) => logger.error({ err: e }, 'stopping the outbox relay failed'));
    await pool.end().catch(() => undefined);
  };

  try {
    const codec = new Codec(createRegistry(config.schemaRegistryUrl), topology);
    await codec.prepare(OUTPUT_TOPICS);
    const store = new CommandStore(pool, {
      encoder: new OutputEncoder(codec, topology, now),
      onRetry: (sqlstate) => retries.inc({ sqlstate }),
    });
    // Every instance runs a relay; one of them holds the lease and publishes what all of them decide.
    relay.start();

    const handle = async (batch: Batch<CommandTopic>): Promise<Outgoing[]> => {
      const started = performance.now();
      for (const m of batch.messages)
        observeHop(metrics.hops, 'command_fetched', parseTrace(m.trace), TraceCheckpoint.sent, m.fetchedAt);
      const topic = topology[batch.topic].name;
      let handled: number;
      if (batch.topic === 'confirmMoneyTransfer') {
        const replies = await store.handleTransfers(topic, batch.messages);
        for (const r of replies) commands.inc({ kind: 'transfer', answer: r.reason ?? 'confirmed' });
        handled = replies.length;
      } else {
        const replies = await store.handleAccounts(topic, batch.messages, generate);
        for (const r of replies)
          commands.inc({ kind: 'account', answer: r.answer.ok ? 'confirmed' : r.answer.reason });
        handled = replies.length;
      }
      // The store returns right after COMMIT; a batch was fetched at one moment, so every command it
      // handled spent the same time from fetch to commit.
      const committed = (nowMicros() - (batch.messages[0]?.fetchedAt ?? nowMicros())) / 1e6;
      for (let i = 0; i < handled; i++) metrics.hops.observe({ hop: 'balancedb_committed' }, committed);
      logger.debug(
        {
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages.length,
          handled,
          ms: Math.round(performance.now() - started),
        },
        'batch decided and stored',
      );
      // What the batch publishes is in the outbox now; the relay takes it from there.
      return [];
    };

    loop = new ConsumerLoop({
      kafka,
      codec,
      topology,
      logger,
      metrics,
      groupId: GROUP_ID,
      topics: TOPICS,
      // Commands written before the first start must be answered too.
      fromBeginning: true,
      // balancedb keeps the consumed position, in the transaction of each batch.
      offsetCommit: 'background',
      partitionsConsumedConcurrently: config.concurrency,
      handle,
      onFatal: (error) => {
        health = { state: 'failed', detail: { error: error.message } };
      },
    });
    await loop.start();
  } catch (e) {
    health = { state: 'failed' };
    await close();
    await ops.close();
    throw e;
  }

  health = { state: 'ok', detail: { instance: config.instance } };
  logger.info(
    { url: ops.url, instance: config.instance, concurrency: config.concurrency },
    'command handler consuming',
  );
  let stopping: Promise<void> | undefined;
  return {
    url: ops.url,
    health: () => ({ ...health, detail: { ...health.detail, relaying: relay.leading } }),
    stop: () => {
      stopping ??= (async () => {
        health = { state: 'stopping' };
        await close();
        await ops.close();
        logger.info('command handler stopped');
      })();
      return stopping;
    },
  };
}
