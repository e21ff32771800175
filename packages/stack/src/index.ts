export * from './errors.ts';
export { brokerProperties } from './kafka-config.ts';
export { DATABASES, type DbServer, migrate } from './migrate.ts';
export {
  buildParts,
  healthProbe,
  httpOk,
  type Part,
  type ServicePartSpec,
  type StackContext,
  servicePart,
} from './parts.ts';
export {
  BASE_PORTS,
  kafkaNodes,
  MAX_PORT_OFFSET,
  type PortLayout,
  PROFILE_OFFSETS,
  portLayout,
} from './ports.ts';
export {
  type CliArgs,
  KAFKA_CLIENTS,
  type KafkaClientName,
  parseArgs,
  type StackSettings,
  stackSettings,
} from './settings.ts';
export {
  type DownResult,
  down,
  type PartStatus,
  selectParts,
  stackContext,
  status,
  type UpResult,
  up,
  wipeProfile,
} from './stack.ts';
export { STACK_ENV_KEYS, type StackEnv } from './stack-env.ts';
