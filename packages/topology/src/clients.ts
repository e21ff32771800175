import {
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
