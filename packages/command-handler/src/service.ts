import type { Batch, Health, Logger, Outgoing } from '@open-bank/runtime';
import { ConsumerLoop, createLogger, createMetrics, startOpsServer } from '@open-bank/runtime';
import { Codec, createKafka, createRegistry, newBankIban, newToken, topologyOf } from '@open-bank/topology';
import { type LogEntry, logLevel } from 'kafkajs';
import { Counter } from 'prom-client';
import { type CommandHandlerConfig, DB_NAME, DB_USER, GROUP_ID, transactionalIdOf } from './config.ts';
import { createPool } from './db.ts';
import type { AccountGenerators } from './decide.ts';
import { OUTPUT_TOPICS, OutputEncoder } from './outputs.ts';
import { deleteSettledBatches, recoverUnpublished } from './recovery.ts';
import { CommandStore } from './store.ts';

export interface CommandHandlerDeps {
  /** IBAN and token sources for new accounts; cryptographically random by default. */
  readonly generate?: AccountGenerators;
  readonly now?: () => Date;
  readonly logger?: Logger;
  /** How often handled_batch rows of published batches are deleted. */
  readonly cleanupIntervalMs?: number;
}

export interface CommandHandler {
  /** Base URL of /metrics and /health. */
  readonly url: string;
  health(): Health;
  /** Stops fetching, finishes and publishes the batches in hand, then closes every connection. */
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

  let health: Health = { state: 'starting' };
  const ops = await startOpsServer({
    host: config.httpHost,
    port: config.port,
    metrics: metrics.registry,
    health: () => health,
  });

  const topology = topologyOf(config);
  const transactionalId = transactionalIdOf(config.instance);
  const pool = createPool({
    host: config.dbHostname,
    port: config.dbPort,
    user: DB_USER,
    password: config.dbPassword,
    database: DB_NAME,
    max: config.dbPoolSize,
  });
  const kafka = createKafka(
    { brokers: config.brokers, clientId: config.clientId },
    { logCreator: kafkaLogCreator(logger) },
  );
  const admin = kafka.admin();
  let loop: ConsumerLoop<CommandTopic> | undefined;
  let cleanup: NodeJS.Timeout | undefined;

  const close = async () => {
    if (cleanup) clearInterval(cleanup);
    await loop?.stop().catch((e: unknown) => logger.error({ err: e }, 'stopping the consumer loop failed'));
    await admin.disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
  };

  try {
    const codec = new Codec(createRegistry(config.schemaRegistryUrl), topology);
    await codec.prepare(OUTPUT_TOPICS);
    const encoder = new OutputEncoder(codec, topology, now);
    const store = new CommandStore(pool, {
      instance: config.instance,
      transferTopic: topology.confirmMoneyTransfer.name,
      onRetry: (sqlstate) => retries.inc({ sqlstate }),
    });

    const recovered = await recoverUnpublished({
      kafka,
      pool,
      encoder,
      logger,
      commandTopic: topology.confirmMoneyTransfer.name,
      groupId: GROUP_ID,
      instance: config.instance,
      transactionalId,
    });

    const handle = async (batch: Batch<CommandTopic>): Promise<Outgoing[]> => {
      const started = performance.now();
      let outputs: Outgoing[];
      if (batch.topic === 'confirmMoneyTransfer') {
        const replies = await store.handleTransfers(batch.messages, recovered);
        for (const r of replies) commands.inc({ kind: 'transfer', answer: r.reason ?? 'confirmed' });
        outputs = encoder.transfers(replies);
      } else {
        const replies = await store.handleAccounts(batch.messages, generate);
        for (const r of replies)
          commands.inc({ kind: 'account', answer: r.answer.ok ? 'confirmed' : r.answer.reason });
        outputs = encoder.accounts(replies);
      }
      logger.debug(
        {
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages.length,
          outputs: outputs.length,
          ms: Math.round(performance.now() - started),
        },
        'batch decided and stored',
      );
      return outputs;
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
      transactionalId,
      partitionsConsumedConcurrently: config.concurrency,
      handle,
      onFatal: (error) => {
        health = { state: 'failed', detail: { error: error.message } };
      },
    });
    await loop.start();

    await admin.connect();
    cleanup = setInterval(() => {
      deleteSettledBatches(admin, pool, GROUP_ID, topology.confirmMoneyTransfer.name).catch((e: unknown) =>
        logger.warn({ err: e }, 'deleting settled batches failed; will try again'),
      );
    }, deps.cleanupIntervalMs ?? 30_000);
    cleanup.unref();
  } catch (e) {
    health = { state: 'failed' };
    await close();
    await ops.close();
    throw e;
  }

  health = { state: 'ok', detail: { instance: config.instance, transactionalId } };
  logger.info(
    { url: ops.url, instance: config.instance, concurrency: config.concurrency },
    'command handler consuming',
  );
  let stopping: Promise<void> | undefined;
  return {
    url: ops.url,
    health: () => health,
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

// Right after a commit, the next transaction's first request often meets the broker still finishing the
// previous one; kafkajs retries it and logs an error each time. That is routine, not news.
const ROUTINE = 'another concurrent operation on the same transaction';

/** kafkajs's log lines through the service's own logger, routine transaction retries at debug level. */
function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const {
        message,
        timestamp: _timestamp,
        logger: _name,
        ...fields
      } = log as LogEntry['log'] & {
        logger?: string;
      };
      const routine = `${message} ${String(fields.error ?? '')}`.includes(ROUTINE);
      const method = routine
        ? 'debug'
        : level === logLevel.ERROR
          ? 'error'
          : level === logLevel.WARN
            ? 'warn'
            : level === logLevel.INFO
              ? 'info'
              : 'debug';
      logger[method]({ kafkajs: namespace, ...fields }, message);
    };
}
