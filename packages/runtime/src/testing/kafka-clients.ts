import { envVar, type Parser, parseConfig } from '@open-bank/config';
import { KAFKA_CLIENTS, type KafkaClientName } from '../kafka/types.ts';

/** A comma-separated list of Kafka client names, each at most once. */
function clientList(): Parser<KafkaClientName[]> {
  return (raw) => {
    const names = raw
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '');
    for (const n of names)
      if (!(KAFKA_CLIENTS as readonly string[]).includes(n))
        throw new Error(`"${n}" is not one of ${KAFKA_CLIENTS.join(', ')}`);
    if (names.length === 0) throw new Error('name at least one client');
    return [...new Set(names)] as KafkaClientName[];
  };
}

/**
 * The Kafka clients the int tests that run per adapter run on: all of them unless TEST_KAFKA_CLIENTS names
 * fewer (to iterate on one adapter quickly).
 */
export const TEST_KAFKA_CLIENTS: readonly KafkaClientName[] = parseConfig(
  {
    clients: envVar('TEST_KAFKA_CLIENTS', clientList(), {
      default: KAFKA_CLIENTS.join(','),
      description: 'the Kafka clients the per-adapter int tests run on',
    }),
  },
  process.env,
).clients;
