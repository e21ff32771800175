import {
  type Admin,
  Kafka,
  type KafkaConfig as KafkaJsConfig,
  logLevel,
  Partitioners,
  type ProducerConfig,
} from 'kafkajs';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

export function createKafka(connection: KafkaConnection, options: Partial<KafkaJsConfig> = {}): Kafka {
  return new Kafka({
    brokers: connection.brokers,
    clientId: connection.clientId,
    logLevel: logLevel.WARN,
    // Only the first wait is shortened: an idempotent producer must keep kafkajs' unlimited retry count.
    retry: { initialRetryTime: 100 },
    ...options,
  });
}

/**
 * Producer settings every service shares: never create topics (the synchronizer owns them), idempotent so
 * retries cannot duplicate, and the Java client's partitioner so keys land where other clients expect them.
 * Sends must pass `acks: -1` (all in-sync replicas); `sendOptions` carries that.
 */
export const producerDefaults: ProducerConfig = {
  allowAutoTopicCreation: false,
  idempotent: true,
  maxInFlightRequests: 5,
  createPartitioner: Partitioners.DefaultPartitioner,
};

export const sendOptions = { acks: -1 } as const;

/**
 * Waits until every partition of the given topics has a leader, so producers started right after a run find
 * them usable. Answers the topics still without one when time is up.
 */
export async function awaitLeaders(
  admin: Admin,
  partitions: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  let pending = [...partitions.keys()];
  while (pending.length > 0) {
    try {
      const { topics } = await admin.fetchTopicMetadata();
      const ready = new Set(
        topics
          .filter(
            (t) =>
              t.partitions.length >= (partitions.get(t.name) ?? 0) &&
              t.partitions.every((p) => p.leader >= 0),
          )
          .map((t) => t.name),
      );
      pending = pending.filter((t) => !ready.has(t));
    } catch {
      // A metadata request failing now and then while topics are created is no reason to stop waiting.
    }
    if (pending.length === 0 || Date.now() >= until) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return pending;
}
