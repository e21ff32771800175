import { type ConfigOf, envVar, hostPortList, httpUrl, text } from '@open-bank/config';
import { resolveTopology, type TopicId, type Topology, topicIds, topicSpecs } from './topics.ts';

// Kafka's own limit on topic names: up to 249 of these characters.
const topicName = () => text({ max: 249, pattern: /^[A-Za-z0-9._-]+$/ });

const topicVars = Object.fromEntries(
  topicIds.map((id) => [
    id,
    envVar(`KAFKA_${topicSpecs[id].abbrev}_TOPIC`, topicName(), { default: topicSpecs[id].defaultName }),
  ]),
) as { [T in TopicId]: ReturnType<typeof envVar<string>> };

/**
 * The Kafka part of every service's config (SPEC §6). A service spreads this into its own spec, with its
 * own client id as the default, and parses the whole spec once at start.
 */
export function kafkaConfigSpec(defaultClientId: string) {
  return {
    brokers: envVar('KAFKA_BROKERS', hostPortList(), {
      default: 'localhost:9092',
      description: 'comma-separated host:port of the Kafka bootstrap brokers',
    }),
    schemaRegistryUrl: envVar('SCHEMA_REGISTRY_URL', httpUrl(), {
      default: 'http://localhost:8081',
      description: 'base URL of the schema registry',
    }),
    clientId: envVar('KAFKA_CLIENT_ID', text({ max: 200 }), { default: defaultClientId }),
    ...topicVars,
  };
}

export type KafkaConfig = ConfigOf<ReturnType<typeof kafkaConfigSpec>>;

export function topologyOf(config: KafkaConfig): Topology {
  return resolveTopology(Object.fromEntries(topicIds.map((id) => [id, config[id]])));
}
