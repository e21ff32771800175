// Throw-away copies of the handler's topics, for int tests and the benchmark: counts and orders checked on
// them belong to one run alone, whatever else runs on the same cluster.
import {
  Codec,
  createRegistry,
  plannedTopics,
  resolveTopology,
  schemaText,
  type TopicId,
  type Topology,
  topicSpecs,
} from '@open-bank/topology';
import type { Kafka } from 'kafkajs';

export const HANDLER_TOPICS = [
  'confirmAccountCreation',
  'accountCreationConfirmed',
  'accountCreationFailed',
  'confirmMoneyTransfer',
  'moneyTransferConfirmed',
  'moneyTransferFailed',
  'balanceChanged',
] as const satisfies readonly TopicId[];

export interface ScratchTopics {
  readonly topology: Topology;
  /** KAFKA_<ABBREV>_TOPIC variables pointing a handler at the scratch topics. */
  readonly topicEnv: Record<string, string>;
  readonly codec: Codec;
  readonly drop: () => Promise<void>;
}

/** Creates the handler's topics (and dead-letter topics) under `prefix` and registers their value schemas. */
export async function createScratchTopics(
  kafka: Kafka,
  registryUrl: string,
  prefix: string,
): Promise<ScratchTopics> {
  const names = Object.fromEntries(
    HANDLER_TOPICS.map((id) => [id, `${prefix}_${topicSpecs[id].defaultName}`]),
  );
  const topology = resolveTopology(names);
  const admin = kafka.admin();
  await admin.connect();
  const planned = plannedTopics(topology).filter((p) => p.name.startsWith(prefix));
  try {
    const brokers = (await admin.describeCluster()).brokers.length;
    await admin.createTopics({
      waitForLeaders: true,
      topics: planned.map((p) => ({
        topic: p.name,
        numPartitions: p.partitions,
        replicationFactor: Math.min(p.replicationFactor, brokers),
      })),
    });
  } finally {
    await admin.disconnect();
  }
  for (const id of HANDLER_TOPICS) {
    const t = topology[id];
    const res = await fetch(`${registryUrl}/subjects/${t.subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: schemaText(t.schema) }),
    });
    if (res.status !== 200)
      throw new Error(`registering ${t.subject}: HTTP ${res.status} ${await res.text()}`);
  }
  const codec = new Codec(createRegistry(registryUrl), topology);
  await codec.prepare(HANDLER_TOPICS);
  const topicEnv = Object.fromEntries(
    HANDLER_TOPICS.map((id) => [`KAFKA_${topicSpecs[id].abbrev}_TOPIC`, topology[id].name]),
  );
  return {
    topology,
    topicEnv,
    codec,
    drop: async () => {
      const a = kafka.admin();
      await a.connect();
      await a.deleteTopics({ topics: planned.map((p) => p.name) }).catch(() => undefined);
      await a.disconnect();
    },
  };
}
