import { errorsWithin, type KafkaClientError, kafkaError } from './errors.ts';

/**
 * What @platformatic/kafka puts on its errors: `code` is the client's own class (`PLT_KFK_PROTOCOL`,
 * `PLT_KFK_NETWORK`, ...); a broker's error is a ProtocolError whose `apiId` is Kafka's name and whose
 * `canRetry` is the protocol's retriable flag. Retries and multi-partition answers nest them in
 * `errors` (MultipleErrors, ResponseError), a failed connection in `cause`.
 */
interface PlatformaticErrorShape {
  name?: string;
  message?: string;
  code?: string;
  apiId?: string;
  canRetry?: boolean;
  closed?: boolean;
}

const fencedIds = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'FENCED_INSTANCE_ID']);

/** The client's own failures that carry no protocol error, by their `code` (and class name for timeouts). */
function clientName(e: PlatformaticErrorShape): { name: string; retryable: boolean } | undefined {
  // TimeoutError is raised with the network code; only its class (or its text) tells it apart.
  const kind = (e as { constructor?: { name?: string } }).constructor?.name;
  if (kind === 'TimeoutError' || (e.code === 'PLT_KFK_NETWORK' && /timed out/i.test(e.message ?? ''))) {
    return { name: 'REQUEST_TIMED_OUT', retryable: true };
  }
  switch (e.code) {
    case 'PLT_KFK_NETWORK':
      return e.closed
        ? { name: 'CLIENT_CLOSED', retryable: false }
        : { name: 'NETWORK_EXCEPTION', retryable: true };
    case 'PLT_KFK_AUTHENTICATION':
      return { name: 'SASL_AUTHENTICATION_FAILED', retryable: false };
    case 'PLT_KFK_UNSUPPORTED_API':
    case 'PLT_KFK_UNSUPPORTED':
      return { name: 'UNSUPPORTED_VERSION', retryable: false };
    case 'PLT_KFK_UNSUPPORTED_COMPRESSION':
      return { name: 'UNSUPPORTED_COMPRESSION_TYPE', retryable: false };
    case 'PLT_KFK_USER':
      // The client answers a metadata request for a missing topic with a usage error of its own.
      if (/^Unknown topic/.test(e.message ?? ''))
        return { name: 'UNKNOWN_TOPIC_OR_PARTITION', retryable: true };
      // A request bound to a node (a fetch from a partition's leader) after that broker left the cluster's
      // metadata: the leader has moved, which is stale metadata, not a usage error.
      if (/^Cannot find broker with node id/.test(e.message ?? ''))
        return { name: 'BROKER_NOT_AVAILABLE', retryable: true };
      return { name: 'INVALID_REQUEST', retryable: false };
    case 'PLT_KFK_UNEXPECTED_CORRELATION_ID':
    case 'PLT_KFK_UNFINISHED_WRITE_BUFFER':
    case 'PLT_KFK_OUT_OF_BOUNDS':
      return { name: 'CORRUPT_MESSAGE', retryable: true };
    default:
      return undefined;
  }
}

/**
 * The port's error for whatever the client threw. Of several broker errors in one failure (one per retry
 * or per partition) a fencing one wins, then one the protocol calls final, then the last (the final
 * attempt's); without any, the client's own failure names it.
 */
export function mapPlatformaticError(error: unknown): KafkaClientError {
  const all = errorsWithin(error) as PlatformaticErrorShape[];
  const top = (error ?? {}) as PlatformaticErrorShape;
  const message = typeof top.message === 'string' ? top.message : String(error);
  const protocol = all.filter((e) => typeof e.apiId === 'string');
  const chosen =
    protocol.find((e) => fencedIds.has(e.apiId as string)) ??
    protocol.find((e) => e.canRetry === false) ??
    protocol[protocol.length - 1];
  if (chosen) {
    const detail = chosen.message && chosen.message !== message ? `${message}: ${chosen.message}` : message;
    return kafkaError(chosen.apiId, detail, chosen.canRetry !== false, error);
  }
  const own = all.map(clientName).filter((n) => n !== undefined);
  const pick = own.find((n) => !n.retryable) ?? own[own.length - 1];
  if (pick) return kafkaError(pick.name, message, pick.retryable, error);
  return kafkaError(undefined, message, top.canRetry !== false, error);
}
