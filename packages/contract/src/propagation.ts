import { retryWhile } from './retry.ts';

/**
 * A topic created a moment ago is not yet known to every broker: the one that answers a read first may refuse
 * it with UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE (seen on fresh three-broker stacks, where it
 * stopped the schema registry's start once and the synchronizer's once). `untilTopicKnown` makes such a read
 * again for up to `forMs`; any other error, or the same one after that, goes to the caller. Here because the
 * synchronizer and the registry both read through kafkajs and share no other package.
 */
export function untilTopicKnown<T>(read: () => Promise<T>, forMs = 5_000, pauseMs = 200): Promise<T> {
  return retryWhile(read, isPropagating, { forMs, pauseMs });
}

/** kafkajs names a broker's error by `type`, on the error or, after its own retries, on the last one. */
export function isPropagating(e: unknown): boolean {
  const err = e as { type?: unknown; originalError?: { type?: unknown } } | null;
  const type = err?.type ?? err?.originalError?.type;
  return type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE';
}
