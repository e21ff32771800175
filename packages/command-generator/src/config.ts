import { type ConfigOf, envVar, oneOf, port, text } from '@open-bank/config';
import { kafkaClientConfigSpec } from '@open-bank/runtime';
import { kafkaConfigSpec } from '@open-bank/topology';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** KAFKA_CLIENT_ID doubles as the consumer group id, so two generators with one id share the work. */
export const commandGeneratorConfigSpec = {
  ...kafkaConfigSpec('command-generator'),
  ...kafkaClientConfigSpec,
  httpHost: envVar('HTTP_HOST', text({ max: 255 }), { default: '0.0.0.0' }),
  httpPort: envVar('COMMAND_GENERATOR_PORT', port(), {
    default: '17889',
    description: '/metrics and /health',
  }),
  logLevel: envVar('LOG_LEVEL', oneOf(LOG_LEVELS), { default: 'info' }),
};

export type CommandGeneratorConfig = ConfigOf<typeof commandGeneratorConfigSpec>;
