/**
 * The Confluent adapter's pure parts: how librdkafka's errors become the port's, and the librdkafka settings
 * each client gets. Kept apart from the adapter so they are tested without loading the native binding.
 */
import { errorsWithin, type KafkaClientError, kafkaError } from './errors.ts';
import type { ConsumerOptions, ProducerOptions, TransactionalProducerOptions } from './types.ts';

/** What both the KafkaJS-compatible layer's errors and node-rdkafka's LibrdKafkaError carry. */
interface RdKafkaErrorShape {
  message?: string;
  code?: number;
  /** The KafkaJS-compatible layer's name of the code: librdkafka's enum name, `ERR__FENCED`. */
  type?: string;
  isFatal?: boolean;
  isRetriable?: boolean;
  isTxnRequiresAbort?: boolean;
  fatal?: boolean;
  retriable?: boolean;
  abortable?: boolean;
}

// Failures librdkafka reports that no retry of the same call fixes. The compat layer loses librdkafka's
// fatal flag (it reads `fatal`, librdkafka sets `isFatal`), so the names decide; broker-side ones are in
// errors.ts already.
const permanentNames = new Set([
  '_INVALID_ARG',
  '_STATE',
  '_NOT_IMPLEMENTED',
  '_UNSUPPORTED_FEATURE',
  '_FATAL',
  '_INCONSISTENT',
  '_INVALID_TYPE',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_REQUEST',
  'INVALID_REQUIRED_ACKS',
  'POLICY_VIOLATION',
  'TOPIC_DELETION_DISABLED',
  'SASL_AUTHENTICATION_FAILED',
]);

/**
 * librdkafka's name of an error, without its `ERR_` prefix (`_FENCED` for a local error, `PRODUCER_FENCED`
 * for a broker's): from the compat layer's `type`, else from the code via `codeNames` (code → `ERR_…`).
 */
export function rdkafkaErrorName(error: unknown, codeNames: ReadonlyMap<number, string>): string | undefined {
  for (const e of errorsWithin(error)) {
    const { type, code } = e as RdKafkaErrorShape;
    if (typeof type === 'string' && type.startsWith('ERR_')) return type.slice(4);
    if (typeof code === 'number') {
      const name = codeNames.get(code);
      if (name) return name.replace(/^ERR_/, '');
    }
  }
  return undefined;
}

/** Any error a Confluent client raised, as the port's error: librdkafka's name, retryable unless fatal. */
export function mapConfluentError(error: unknown, codeNames: ReadonlyMap<number, string>): KafkaClientError {
  const all = errorsWithin(error) as RdKafkaErrorShape[];
  const name = rdkafkaErrorName(error, codeNames);
  const fatal = all.some((e) => e.isFatal === true || e.fatal === true);
  const flagged = all.some(
    (e) => e.isRetriable === true || e.retriable === true || e.isTxnRequiresAbort === true || e.abortable,
  );
  const retryable = !fatal && (flagged || name === undefined || !permanentNames.has(name));
  const message = (error as { message?: unknown })?.message;
  return kafkaError(name, typeof message === 'string' ? message : String(error), retryable, error);
}

/**
 * The port's error for a group consumer's error when it is fatal (the consumer will not go on), else
 * undefined. librdkafka hands a fatal error to consume() as `ERR__FATAL` (code -150, "Local: Fatal error"),
 * its cause kept in librdkafka (rd_kafka_fatal_error, which the binding does not expose). In the classic
 * group protocol the one fatal error of a group consumer is FENCED_INSTANCE_ID (a newer static member took
 * its group.instance.id: JoinGroup, SyncGroup, Heartbeat or OffsetCommit say so), so a static member's is the
 * port's fenced error; a text naming the cause decides too.
 */
export function fatalConsumerError(
  error: unknown,
  codeNames: ReadonlyMap<number, string>,
  staticMember: boolean,
): KafkaClientError | undefined {
  const e = error as RdKafkaErrorShape;
  const name = rdkafkaErrorName(error, codeNames);
  if (e?.isFatal !== true && name !== '_FATAL') return undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (staticMember || /static consumer fenced|FENCED_INSTANCE_ID/i.test(message))
    return kafkaError(
      'FENCED_INSTANCE_ID',
      `${message} (fenced: a newer member has this group.instance.id)`,
      false,
      error,
    );
  return kafkaError(name, message, false, error);
}

/** librdkafka's syslog severity (0 emergency … 7 debug) as a pino level. */
export function severityLevel(severity: number): 'error' | 'warn' | 'info' | 'debug' {
  if (severity <= 3) return 'error';
  if (severity === 4) return 'warn';
  if (severity <= 6) return 'info';
  return 'debug';
}

/** Settings every client gets: latency first. */
export function commonSettings(brokers: readonly string[], clientId: string) {
  return {
    'bootstrap.servers': brokers.join(','),
    'client.id': clientId,
    // Small requests (one command's records, one commit marker) must not wait for Nagle's algorithm.
    'socket.nagle.disable': true,
    // The compat layer sets kafkajs' 300 ms first back-off; a leader move or coordinator load is over sooner.
    'retry.backoff.ms': 100,
    'retry.backoff.max.ms': 1000,
    // librdkafka waits up to 10 s between reconnects to a broker that is away; a lost transaction or group
    // coordinator is only replaced once librdkafka gives up on it, so every second of that wait delays answers.
    'reconnect.backoff.max.ms': 1000,
  };
}

/** librdkafka properties of a plain or idempotent producer. */
export function producerSettings(options: ProducerOptions = {}) {
  return {
    // librdkafka's own default is CRC32, which puts keyed records on other partitions than the Java
    // client (and kafkajs, and murmur2.ts); murmur2_random is the Java partitioner, random for null keys.
    partitioner: 'murmur2_random',
    acks: -1,
    'enable.idempotence': options.idempotent ?? true,
    'max.in.flight': options.maxInFlightOne ? 1 : 5,
    // librdkafka waits 5 ms by default to fill a batch; every send here is awaited, so waiting only adds.
    'linger.ms': 0,
    'allow.auto.create.topics': false,
  };
}

/** librdkafka properties of a transactional producer. */
export function transactionalSettings(options: TransactionalProducerOptions) {
  return {
    ...producerSettings({ idempotent: true }),
    'transactional.id': options.transactionalId,
    ...(options.transactionTimeoutMs
      ? {
          'transaction.timeout.ms': options.transactionTimeoutMs,
          // librdkafka refuses a socket time-out (default 60 s) longer than the transaction's plus 100 ms.
          'socket.timeout.ms': Math.min(60_000, options.transactionTimeoutMs + 100),
        }
      : {}),
    // librdkafka retries a request refused as CONCURRENT_TRANSACTIONS after its retry back-off; the port's
    // first retry time is that back-off's start (it doubles from there up to retry.backoff.max.ms).
    'retry.backoff.ms': options.firstRetryMs ?? 20,
  };
}

/**
 * Upper bound of one eachBatch call's records per partition (the compat layer's default is 32): a batch is
 * one transaction in the services, so a backlog is worked off in few of them; a quiet partition's batch is
 * whatever arrived, so latency does not depend on it.
 */
export const MAX_BATCH = 1000;

/** The compat layer's kafkaJS block and librdkafka properties of a group consumer. */
export function consumerSettings(options: ConsumerOptions) {
  return {
    kafkaJS: {
      groupId: options.groupId,
      fromBeginning: options.fromBeginning ?? true,
      autoCommit: false,
      readUncommitted: options.readCommitted === false,
      allowAutoTopicCreation: false,
      ...(options.sessionTimeoutMs ? { sessionTimeout: options.sessionTimeoutMs } : {}),
      ...(options.heartbeatIntervalMs ? { heartbeatInterval: options.heartbeatIntervalMs } : {}),
      ...(options.maxWaitTimeMs ? { maxWaitTimeInMs: options.maxWaitTimeMs } : {}),
    },
    // Static membership (KIP-345); librdkafka sends no LeaveGroup when a static member closes.
    ...(options.groupInstanceId ? { 'group.instance.id': options.groupInstanceId } : {}),
    'isolation.level': options.readCommitted === false ? 'read_uncommitted' : 'read_committed',
    'js.consumer.max.batch.size': MAX_BATCH,
    // A failed fetch (leader moved) is retried after this instead of librdkafka's 500 ms.
    'fetch.error.backoff.ms': 50,
  };
}
