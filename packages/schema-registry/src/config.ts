import { type ConfigOf, envVar, hostPortList, integer, text } from '@open-bank/config';

/** What the stand-in schema registry reads from its environment (its own host and port variables). */
export const schemaRegistryConfigSpec = {
  brokers: envVar('KAFKA_BROKERS', hostPortList(), { default: 'localhost:9092' }),
  clientId: envVar('KAFKA_CLIENT_ID', text(), { default: 'schema-registry' }),
  host: envVar('SCHEMA_REGISTRY_HOST', text(), { default: '127.0.0.1' }),
  // 0 is allowed: pick a free port.
  port: envVar('SCHEMA_REGISTRY_PORT', integer({ min: 0, max: 65_535 }), { default: '8081' }),
  topic: envVar('SCHEMA_REGISTRY_TOPIC', text({ max: 249, pattern: /^[A-Za-z0-9._-]+$/ }), {
    default: '_schemas',
  }),
};

export type SchemaRegistryConfig = ConfigOf<typeof schemaRegistryConfigSpec>;
