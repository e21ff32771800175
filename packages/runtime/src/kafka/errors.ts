import { retryWhile } from '@open-bank/contract';
import { RuntimeError } from '../errors.ts';

/**
 * A Kafka client's failure in the repo's error style: `code` is `KAFKA_` and the protocol error's name
 * (`KAFKA_UNKNOWN_TOPIC_OR_PARTITION`), the same whichever client raised it, so a consumer loop decides retry
 * or dead letter without knowing the client. The client's own error stays as `cause`.
 */
export class KafkaClientError extends RuntimeError {}

/** A transactional producer replaced by a newer one with the same id: it must stop, retrying cannot help. */
export const FENCED = 'KAFKA_PRODUCER_FENCED';

// The names under which the clients report fencing: the broker's (Kafka 2.8+ answers PRODUCER_FENCED, older
// brokers and some paths INVALID_PRODUCER_EPOCH), librdkafka's local _FENCED, a fenced static member.
const fencedNames = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', '_FENCED', 'FENCED_INSTANCE_ID']);

// Failures no retry fixes, whatever flag the client put on them.
const fatalNames = new Set([
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_TRANSACTION_TIMEOUT',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'UNSUPPORTED_VERSION',
  'TOPIC_ALREADY_EXISTS',
  'INVALID_PARTITIONS',
  'INVALID_CONFIG',
  'INVALID_REPLICATION_FACTOR',
]);

/** Builds the port's error from the name of the Kafka error a client reported and the client's retry flag. */
export function kafkaError(
  name: string | undefined,
  message: string,
  clientRetryable: boolean,
  cause: unknown,
): KafkaClientError {
  const type = (name ?? 'UNKNOWN').toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
  if (fencedNames.has(type)) return new KafkaClientError(FENCED, message, { retryable: false, cause });
  return new KafkaClientError(`KAFKA_${type.replace(/^_+/, '')}`, message, {
    retryable: fatalNames.has(type) ? false : clientRetryable,
    cause,
  });
}

/** Every error inside `error`: itself, its `cause` chain and the members of aggregate errors. */
export function errorsWithin(error: unknown, seen = new Set<unknown>()): unknown[] {
  if (error === null || typeof error !== 'object' || seen.has(error)) return [];
  seen.add(error);
  const found: unknown[] = [error];
  const e = error as { cause?: unknown; errors?: unknown };
  if (e.cause !== undefined) found.push(...errorsWithin(e.cause, seen));
  if (Array.isArray(e.errors)) for (const inner of e.errors) found.push(...errorsWithin(inner, seen));
  return found;
}

/** Runs a client call, turning whatever it throws into the port's error via the adapter's `map`. */
export async function mapped<T>(
  map: (error: unknown) => KafkaClientError,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof KafkaClientError ? error : map(error);
  }
}

/**
 * An admin read's patience, the same in every adapter: retried while its error is retryable (a leader moving,
 * a broker just killed and not yet replaced in the metadata) for up to READ_RETRY_MS.
 */
export const READ_RETRY_MS = 10_000;
/**
 * One try of an admin read that the client would otherwise let wait for a dead broker (librdkafka waits for
 * the broker its metadata names; platformatic retries that broker's connection): it ends after this, and the
 * next try looks the brokers up again.
 */
export const READ_TRY_MS = 2_000;

export const retryRead = <T>(fn: () => Promise<T>, pauseMs: number): Promise<T> =>
  retryWhile(fn, (e) => (e as { retryable?: unknown }).retryable === true, { forMs: READ_RETRY_MS, pauseMs });
