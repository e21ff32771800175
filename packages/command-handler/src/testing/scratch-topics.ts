// Throw-away copies of the handler's topics, for int tests and the benchmark: counts and orders checked on
// them belong to one run alone, whatever else runs on the same cluster.
import type { TopicId } from '@open-bank/topology';
import { createScratchTopics as createScratch, type ScratchTopics } from '@open-bank/topology/testing';
import type { Kafka } from 'kafkajs';

export type { ScratchTopics };

export const HANDLER_TOPICS = [
  'confirmAccountCreation',
  'accountCreationConfirmed',
  'accountCreationFailed',
  'confirmMoneyTransfer',
  'moneyTransferConfirmed',
  'moneyTransferFailed',
  'balanceChanged',
] as const satisfies readonly TopicId[];

/** Creates the handler's topics (and dead-letter topics) under `prefix` and registers their value schemas. */
export function createScratchTopics(
  kafka: Kafka,
  registryUrl: string,
  prefix: string,
): Promise<ScratchTopics> {
  return createScratch(kafka, registryUrl, prefix, HANDLER_TOPICS);
}
