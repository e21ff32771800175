import { envVar, oneOf } from '@open-bank/config';
import { KAFKA_CLIENTS } from './types.ts';

/**
 * The config fragment choosing the Kafka client library; every service adds it to its spec next to
 * topology's `kafkaConfigSpec`. It lives here, with the adapters it selects, so topology stays client-free.
 */
export const kafkaClientConfigSpec = {
  kafkaClient: envVar('KAFKA_CLIENT', oneOf(KAFKA_CLIENTS), {
    default: 'kafkajs',
    description: 'the Kafka client library: kafkajs, confluent (librdkafka) or platformatic',
  }),
};
