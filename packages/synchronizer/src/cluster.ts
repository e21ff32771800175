import { untilTopicKnown } from '@open-bank/contract';
import type { RegistryClient } from '@open-bank/topology';
import kafkajs, { type Admin } from 'kafkajs';
import { ClusterReadError } from './errors.ts';
import { type Action, type ClusterState, type CurrentTopic, type SubjectState, sameSchema } from './plan.ts';

// kafkajs is CommonJS and Node cannot see these two as named exports, so they come off the default export.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

/** kafkajs puts the broker's per-topic answers in `errors`, and its own message alone is generic. */
function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const inner = (e as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) {
    return `${e.message}: ${inner.map((x) => (x instanceof Error ? x.message : String(x))).join('; ')}`;
  }
  return e.message;
}

async function readTopics(admin: Admin, wanted: ReadonlySet<string>): Promise<CurrentTopic[]> {
  // Without a topic list the metadata request answers every topic, internal ones included.
  const { topics } = await admin.fetchTopicMetadata();
  // Configs only matter for topics the topology describes; foreign topics are only listed (and deleted).
  const described = topics.map((t) => t.name).filter((n) => wanted.has(n));
  const configs = new Map<string, { configs: Record<string, string>; overrides: Record<string, string> }>();
  if (described.length > 0) {
    const answer = await admin.describeConfigs({
      resources: described.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
      includeSynonyms: false,
    });
    for (const r of answer.resources) {
      if (r.errorCode !== 0) {
        throw new ClusterReadError(`describing configs of ${r.resourceName} failed: ${r.errorMessage}`);
      }
      const all: Record<string, string> = {};
      const overrides: Record<string, string> = {};
      for (const e of r.configEntries) {
        // Sensitive values come back as null and cannot be compared or carried over.
        if (e.configValue === null || e.configValue === undefined) continue;
        all[e.configName] = e.configValue;
        if (e.configSource === ConfigSource.TOPIC_CONFIG) overrides[e.configName] = e.configValue;
      }
      configs.set(r.resourceName, { configs: all, overrides });
    }
  }
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.length,
    replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
    configs: configs.get(t.name)?.configs ?? {},
    overrides: configs.get(t.name)?.overrides ?? {},
  }));
}

/** Reads what the plan compares against: topics with their configs, live brokers, our subjects' versions. */
export async function readClusterState(
  admin: Admin,
  registry: RegistryClient,
  wanted: { topics: ReadonlySet<string>; schemas: ReadonlyMap<string, string> },
): Promise<ClusterState> {
  let liveBrokers: number;
  let topics: CurrentTopic[];
  try {
    liveBrokers = (await admin.describeCluster()).brokers.length;
    topics = await untilTopicKnown(() => readTopics(admin, wanted.topics));
  } catch (e) {
    if (e instanceof ClusterReadError) throw e;
    throw new ClusterReadError(`reading the cluster's topics failed: ${reason(e)}`, e);
  }
  const registered = new Set(await registry.listSubjects());
  const subjects: Record<string, SubjectState> = {};
  for (const [subject, schema] of wanted.schemas) {
    if (!registered.has(subject)) continue;
    const latest = await registry.latest(subject);
    if (latest === undefined) continue;
    const ourVersion = sameSchema(latest.schema, schema)
      ? undefined
      : await registry.versionOf(subject, schema);
    subjects[subject] = {
      latest: latest.schema,
      latestVersion: latest.version,
      ...(ourVersion === undefined ? {} : { ourVersion }),
    };
  }
  return { liveBrokers, topics, subjects };
}

/** Carries out one action. Throws with a message naming the topic or subject when it fails. */
export async function applyAction(admin: Admin, registry: RegistryClient, action: Action): Promise<string> {
  try {
    switch (action.kind) {
      case 'create-topic':
        // Leaders are awaited afterwards for all new topics at once (see awaitLeaders): kafkajs' own wait
        // gives up when the metadata does not know a just-created topic yet.
        await admin.createTopics({
          waitForLeaders: false,
          topics: [
            {
              topic: action.topic,
              numPartitions: action.partitions,
              replicationFactor: action.replicationFactor,
              configEntries: Object.entries(action.configs).map(([name, value]) => ({ name, value })),
            },
          ],
        });
        return `created topic ${action.topic}`;
      case 'add-partitions':
        await admin.createPartitions({ topicPartitions: [{ topic: action.topic, count: action.to }] });
        return `added partitions to ${action.topic}: now ${action.to}`;
      case 'alter-configs':
        // kafkajs speaks the non-incremental AlterConfigs: the entries replace all of the topic's overrides,
        // which is why the action carries the current overrides along with the changes.
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: action.topic,
              configEntries: Object.entries(action.overrides).map(([name, value]) => ({ name, value })),
            },
          ],
        });
        return `altered configs of ${action.topic}: ${action.changes.map((c) => `${c.name}=${c.to}`).join(', ')}`;
      case 'register-schema': {
        const id = await registry.register(action.subject, action.schema);
        return `registered schema ${action.subject} (id ${id})`;
      }
      case 'delete-topic':
        await admin.deleteTopics({ topics: [action.topic] });
        return `deleted topic ${action.topic}`;
    }
  } catch (e) {
    const target = action.kind === 'register-schema' ? `subject ${action.subject}` : `topic ${action.topic}`;
    throw new Error(`${action.kind} failed for ${target}: ${reason(e)}`, { cause: e });
  }
}
