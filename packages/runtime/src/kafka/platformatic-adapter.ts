import type { Logger } from 'pino';
import { KafkaClientError } from './errors.ts';
import type { KafkaClient, KafkaConnectionConfig } from './types.ts';

export function platformaticClient(_config: KafkaConnectionConfig, _logger: Logger): KafkaClient {
  throw new KafkaClientError('KAFKA_CLIENT_UNAVAILABLE', 'the platformatic adapter is not built yet', {
    retryable: false,
  });
}
