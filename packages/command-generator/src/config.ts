import { type ConfigOf, opsConfigSpec } from '@open-bank/config';
import { kafkaClientConfigSpec } from '@open-bank/runtime';
import { kafkaConfigSpec } from '@open-bank/topology';

/** KAFKA_CLIENT_ID doubles as the consumer group id, so two generators with one id share the work. */
export const commandGeneratorConfigSpec = {
  ...kafkaConfigSpec('command-generator'),
  ...kafkaClientConfigSpec,
  ...opsConfigSpec('COMMAND_GENERATOR_PORT', '17889', '/metrics and /health'),
};

export type CommandGeneratorConfig = ConfigOf<typeof commandGeneratorConfigSpec>;
