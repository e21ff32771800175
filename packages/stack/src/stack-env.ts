/**
 * Connection settings of a running stack, under the environment variable names the services read
 * (see SPEC §6), so a test or a service can be handed them as its environment.
 */
export interface StackEnv {
  readonly KAFKA_BROKERS: string;
  readonly SCHEMA_REGISTRY_URL: string;
  readonly DB_HOSTNAME: string;
  readonly DB_PORT: string;
  readonly DB_PASSWORD: string;
  readonly DB_ADMIN_USER: string;
  readonly DB_ADMIN_PASSWORD: string;
}

export const STACK_ENV_KEYS = [
  'KAFKA_BROKERS',
  'SCHEMA_REGISTRY_URL',
  'DB_HOSTNAME',
  'DB_PORT',
  'DB_PASSWORD',
  'DB_ADMIN_USER',
  'DB_ADMIN_PASSWORD',
] as const satisfies readonly (keyof StackEnv)[];
