import {
  ConsumerLoop,
  createKafkaClient,
  createLogger,
  createMetrics,
  type Logger,
  startOpsServer,
} from '@open-bank/runtime';
import { Codec, createRegistry, topologyOf } from '@open-bank/topology';
import { Counter, Gauge } from 'prom-client';
import type { CommandGeneratorConfig } from './config.ts';
import { CommandGenerator, type KnownAccount } from './generate.ts';
import { CONSUMED, createHandler, PRODUCED } from './handler.ts';
import type { Random } from './random.ts';
import { readConfirmedAccounts } from './rebuild.ts';

export interface CommandGeneratorDeps {
  random: Random;
  clock: () => Date;
  logger?: Logger;
  /** Limit on reading the known accounts back at start. */
  rebuildTimeoutMs?: number;
}

export interface RunningCommandGenerator {
  /** Base URL of /metrics and /health. */
  readonly url: string;
  knownAccounts(): readonly KnownAccount[];
  /** Stops fetching, lets the batch in hand publish and commit, disconnects and closes the HTTP server. */
  stop(): Promise<void>;
}

export async function startCommandGenerator(
  config: CommandGeneratorConfig,
  deps: CommandGeneratorDeps,
): Promise<RunningCommandGenerator> {
  const logger = deps.logger ?? createLogger('command-generator', config.logLevel);
  const metrics = createMetrics('command-generator');
  const topology = topologyOf(config);
  const codec = new Codec(createRegistry(config.schemaRegistryUrl), topology);
  const kafka = await createKafkaClient(
    config.kafkaClient,
    { brokers: config.brokers, clientId: config.clientId },
    logger,
  );
  const generator = new CommandGenerator(deps.random);
  const health: { state: 'starting' | 'ok' | 'stopping' | 'failed' } = { state: 'starting' };

  const generated = new Counter({
    name: 'open_bank_commands_generated_total',
    help: 'Commands produced, by topic',
    labelNames: ['topic'],
    registers: [metrics.registry],
  });
  new Gauge({
    name: 'open_bank_generator_known_accounts',
    help: 'AUTO accounts the generator draws from',
    registers: [metrics.registry],
    collect() {
      this.set(generator.accounts.size);
    },
  });

  const server = await startOpsServer({
    host: config.httpHost,
    port: config.httpPort,
    metrics: metrics.registry,
    health: () => ({ state: health.state, detail: { knownAccounts: generator.accounts.size } }),
  });

  let loop: ConsumerLoop<(typeof CONSUMED)[number]> | undefined;
  try {
    await codec.prepare(PRODUCED);
    // Accounts confirmed before this start were paid their salary when first seen: remember them only.
    const read = await readConfirmedAccounts({
      kafka,
      codec,
      topology,
      logger,
      onRecords: (records) => generator.remember(records),
      ...(deps.rebuildTimeoutMs === undefined ? {} : { timeoutMs: deps.rebuildTimeoutMs }),
    });
    logger.info({ read, known: generator.accounts.size }, 'known accounts read back');

    loop = new ConsumerLoop({
      kafka,
      codec,
      topology,
      logger,
      metrics,
      groupId: config.clientId,
      topics: CONSUMED,
      // As the original: a new group starts at the oldest beat still retained rather than missing any.
      fromBeginning: true,
      handle: createHandler({
        generator,
        topology,
        encode: (topic, value) => codec.encode(topic, value),
        clock: deps.clock,
        onCommands: (commands) => {
          for (const c of commands) generated.inc({ topic: topology[c.topic].name });
        },
      }),
    });
    await loop.start();
  } catch (e) {
    health.state = 'failed';
    await loop?.stop().catch(() => undefined);
    await server.close();
    throw e;
  }
  health.state = 'ok';
  logger.info({ url: server.url, groupId: config.clientId }, 'command generator started');

  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    knownAccounts: () => generator.accounts.all(),
    stop: () => {
      stopping ??= (async () => {
        health.state = 'stopping';
        await loop?.stop();
        await server.close();
      })();
      return stopping;
    },
  };
}
