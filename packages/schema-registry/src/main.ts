import { exitOnStartupError, parseConfig } from '@open-bank/config';
import { pino } from 'pino';
import { schemaRegistryConfigSpec } from './config.ts';
import { createSchemaRegistry } from './registry.ts';

async function main(): Promise<void> {
  const config = parseConfig(schemaRegistryConfigSpec, process.env);
  const logger = pino({ name: 'schema-registry' });
  const registry = createSchemaRegistry({ ...config, logger });
  await registry.start();
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    registry.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e) => exitOnStartupError('schema-registry', e));
