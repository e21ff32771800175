import { ConsumerLoop, createServiceContext, type Logger } from '@open-bank/runtime';
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
  const context = await createServiceContext('command-generator', config, { logger: deps.logger });
  const { codec, topology, logger, metrics, scope } = context;
  return scope.start(async () => {
    const generator = new CommandGenerator(deps.random);
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
    scope.describe(() => ({ knownAccounts: generator.accounts.size }));
    const server = await scope.serve({
      host: config.httpHost,
      port: config.port,
      metrics: metrics.registry,
    });

    const loop = new ConsumerLoop({
      ...context,
      groupId: config.clientId,
      topics: CONSUMED,
      // As the original: a new group starts at the oldest beat still retained rather than missing any.
      fromBeginning: true,
      handle: createHandler({
        generator,
        encode: codec,
        clock: deps.clock,
        onCommands: (commands) => {
          for (const c of commands) generated.inc({ topic: topology[c.topic].name });
        },
      }),
    });
    scope.defer('consumer loop', () => loop.stop());
    // At once: the registry look-ups, reading back the known accounts and connecting the loop; it consumes
    // only once the accounts are known.
    const [, read] = await scope.all([
      codec.prepare(PRODUCED),
      // Accounts confirmed before this start were paid their salary when first seen: remember them only.
      readConfirmedAccounts({
        ...context,
        onRecords: (records) => generator.remember(records),
        ...(deps.rebuildTimeoutMs === undefined ? {} : { timeoutMs: deps.rebuildTimeoutMs }),
      }),
      loop.connect(),
    ] as const);
    logger.info({ read, known: generator.accounts.size }, 'known accounts read back');
    await loop.start();
    scope.ready();
    logger.info({ url: server.url, groupId: config.clientId }, 'command generator started');
    return { url: server.url, knownAccounts: () => generator.accounts.all(), stop: () => scope.stop() };
  });
}
