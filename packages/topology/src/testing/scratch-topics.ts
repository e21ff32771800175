import type { Kafka } from 'kafkajs';
import { schemaText } from '../avro.ts';
import { awaitLeaders } from '../clients.ts';
import { Codec, createRegistry } from '../codec.ts';
import { plannedTopics, resolveTopology, type TopicId, type Topology, topicSpecs } from '../topics.ts';

export interface ScratchTopics {
  readonly topology: Topology;
  /** KAFKA_<ABBREV>_TOPIC variables that point a service at the scratch topics. */
  readonly topicEnv: Record<string, string>;
  /** A codec prepared to write every scratch topic. */
  readonly codec: Codec;
  /** Deletes the scratch topics and their dead-letter topics. */
  readonly drop: () => Promise<void>;
}

/**
 * Throw-away copies of some of the bank's topics (with their dead-letter topics), named `<prefix>_<topic>`,
 * with their value schemas registered: counts and orders a test checks on them belong to that test alone,
 * whatever else runs on the same cluster. A prefix starting with `_` keeps a synchronizer run by another
 * test run from deleting them, as it leaves internal-looking names alone.
 */
export async function createScratchTopics(
  kafka: Kafka,
  registryUrl: string,
  prefix: string,
  ids: readonly TopicId[],
): Promise<ScratchTopics> {
  const topology = resolveTopology(
    Object.fromEntries(ids.map((id) => [id, `${prefix}_${topicSpecs[id].defaultName}`])),
  );
  const names = new Set(ids.flatMap((id) => [topology[id].name, topology[id].deadLetter]));
  const planned = plannedTopics(topology).filter((p) => names.has(p.name));
  const admin = kafka.admin();
  await admin.connect();
  try {
    const brokers = (await admin.describeCluster()).brokers.length;
    // kafkajs' own leader wait fails now and then on a just-created topic; awaitLeaders tolerates that.
    await admin.createTopics({
      waitForLeaders: false,
      topics: planned.map((p) => ({
        topic: p.name,
        numPartitions: p.partitions,
        replicationFactor: Math.min(p.replicationFactor, brokers),
      })),
    });
    const missing = await awaitLeaders(admin, new Map(planned.map((p) => [p.name, p.partitions])), 30_000);
    if (missing.length > 0)
      throw new Error(`scratch topics without a leader after 30 s: ${missing.join(', ')}`);
  } finally {
    await admin.disconnect();
  }
  const registry = createRegistry(registryUrl);
  for (const id of ids) await registry.register(topology[id].subject, schemaText(topology[id].schema));
  const codec = new Codec(registry, topology);
  await codec.prepare(ids);
  return {
    topology,
    topicEnv: Object.fromEntries(
      ids.map((id) => [`KAFKA_${topicSpecs[id].abbrev}_TOPIC`, topology[id].name]),
    ),
    codec,
    drop: async () => {
      const a = kafka.admin();
      await a.connect();
      await a.deleteTopics({ topics: [...names] }).catch(() => undefined);
      await a.disconnect();
    },
  };
}
