import { envVar, exitOnStartupError, hostPortList, integer, parseConfig, text } from '@open-bank/config';
import { pino } from 'pino';
import { createSchemaRegistry } from './registry.ts';

const spec = {
  brokers: envVar('KAFKA_BROKERS', hostPortList(), { default: 'localhost:9092' }),
  clientId: envVar('KAFKA_CLIENT_ID', text(), { default: 'schema-registry' }),
  host: envVar('SCHEMA_REGISTRY_HOST', text(), { default: '127.0.0.1' }),
  // 0 is allowed: pick a free port.
  port: envVar('SCHEMA_REGISTRY_PORT', integer({ min: 0, max: 65_535 }), { default: '8081' }),
  topic: envVar('SCHEMA_REGISTRY_TOPIC', text({ max: 249, pattern: /^[A-Za-z0-9._-]+$/ }), {
    default: '_schemas',
  }),
};

async function main(): Promise<void> {
  const config = parseConfig(spec, process.env);
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
