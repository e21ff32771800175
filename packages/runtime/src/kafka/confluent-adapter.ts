import type { Logger } from 'pino';
import { KafkaClientError } from './errors.ts';
import type { KafkaClient, KafkaConnectionConfig } from './types.ts';

export function confluentClient(_config: KafkaConnectionConfig, _logger: Logger): KafkaClient {
  throw new KafkaClientError('KAFKA_CLIENT_UNAVAILABLE', 'the confluent adapter is not built yet', {
    retryable: false,
  });
}
