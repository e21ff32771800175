import type { Logger } from 'pino';
import type { KafkaClient, KafkaClientName, KafkaConnectionConfig } from './types.ts';

/**
 * The client library `KAFKA_CLIENT` names, behind the port. Adapters load on demand, so a service on kafkajs
 * never loads the native librdkafka binding and one on Confluent's client never loads kafkajs.
 */
export async function createKafkaClient(
  name: KafkaClientName,
  connection: KafkaConnectionConfig,
  logger: Logger,
): Promise<KafkaClient> {
  switch (name) {
    case 'kafkajs':
      return (await import('./kafkajs-adapter.ts')).kafkajsClient(connection, logger);
    case 'confluent':
      return (await import('./confluent-adapter.ts')).confluentClient(connection, logger);
    case 'platformatic':
      return (await import('./platformatic-adapter.ts')).platformaticClient(connection, logger);
  }
}
