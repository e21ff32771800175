import { describe, expect, it } from 'vitest';
import {
  consumerSettings,
  fatalConsumerError,
  mapConfluentError,
  producerSettings,
  rdkafkaErrorName,
  severityLevel,
  transactionalSettings,
} from './confluent-mapping.ts';
import { FENCED, KafkaClientError } from './errors.ts';

// A few entries of librdkafka's code table (RdKafka.CODES.ERRORS, inverted), as the adapter builds it.
const codeNames = new Map([
  [-144, 'ERR__FENCED'],
  [-150, 'ERR__FATAL'],
  [-185, 'ERR__TIMED_OUT'],
  [-195, 'ERR__TRANSPORT'],
  [-186, 'ERR__STATE'],
  [37, 'ERR_INVALID_PARTITIONS'],
  [90, 'ERR_PRODUCER_FENCED'],
  [47, 'ERR_INVALID_PRODUCER_EPOCH'],
  [51, 'ERR_CONCURRENT_TRANSACTIONS'],
]);

/** Shaped like the compat layer's KafkaJSError: code, its enum name as `type`, flags it always sets false. */
const compat = (code: number, type: string) =>
  Object.assign(new Error('compat'), { name: 'KafkaJSError', code, type, retriable: false, fatal: false });

describe('mapConfluentError', () => {
  it('maps every name under which librdkafka reports fencing to the port fenced error, not retryable', () => {
    for (const e of [
      compat(-144, 'ERR__FENCED'),
      { message: 'fenced', code: 90, isFatal: true },
      { message: 'old epoch', code: 47 },
    ]) {
      const mapped = mapConfluentError(e, codeNames);
      expect(mapped).toBeInstanceOf(KafkaClientError);
      expect(mapped.code).toBe(FENCED);
      expect(mapped.retryable).toBe(false);
      expect(mapped.cause).toBe(e);
    }
  });

  it('keeps the broker error name, and its retry flag unless Kafka says it is permanent', () => {
    const shrink = mapConfluentError({ message: 'Number of partitions is invalid', code: 37 }, codeNames);
    expect([shrink.code, shrink.retryable, shrink.message]).toEqual([
      'KAFKA_INVALID_PARTITIONS',
      false,
      'Number of partitions is invalid',
    ]);
    const busy = mapConfluentError(compat(51, 'ERR_CONCURRENT_TRANSACTIONS'), codeNames);
    expect([busy.code, busy.retryable]).toEqual(['KAFKA_CONCURRENT_TRANSACTIONS', true]);
  });

  it('names local errors without their underscores; transport and time-outs retry, a wrong state does not', () => {
    expect(mapConfluentError({ message: 't', code: -185 }, codeNames)).toMatchObject({
      code: 'KAFKA_TIMED_OUT',
      retryable: true,
    });
    expect(mapConfluentError(compat(-195, 'ERR__TRANSPORT'), codeNames).retryable).toBe(true);
    expect(mapConfluentError(compat(-186, 'ERR__STATE'), codeNames)).toMatchObject({
      code: 'KAFKA_STATE',
      retryable: false,
    });
  });

  it('a fatal flag wins over a retriable one; the name comes from inside an aggregate error', () => {
    const fatal = mapConfluentError(
      { message: 'x', code: -185, isFatal: true, isRetriable: true },
      codeNames,
    );
    expect(fatal.retryable).toBe(false);
    const aggregate = Object.assign(new Error('Topic creation errors'), {
      errors: [compat(37, 'ERR_INVALID_PARTITIONS')],
    });
    expect(rdkafkaErrorName(aggregate, codeNames)).toBe('INVALID_PARTITIONS');
    expect(mapConfluentError(aggregate, codeNames).code).toBe('KAFKA_INVALID_PARTITIONS');
  });

  it('an error that is no Kafka error becomes KAFKA_UNKNOWN, retryable', () => {
    expect(mapConfluentError(new Error('boom'), codeNames)).toMatchObject({
      code: 'KAFKA_UNKNOWN',
      retryable: true,
      message: 'boom',
    });
  });
});

describe('librdkafka settings', () => {
  it('producers use the Java partitioner, acks=all, no linger, idempotence by default', () => {
    expect(producerSettings()).toMatchObject({
      partitioner: 'murmur2_random',
      acks: -1,
      'linger.ms': 0,
      'enable.idempotence': true,
      'max.in.flight': 5,
    });
    expect(producerSettings({ idempotent: false, maxInFlightOne: true })).toMatchObject({
      'enable.idempotence': false,
      'max.in.flight': 1,
    });
  });

  it('a transactional producer keeps those and starts its retries at the first retry time', () => {
    const settings = transactionalSettings({ transactionalId: 't-1', transactionTimeoutMs: 30_000 });
    expect(settings).toMatchObject({
      partitioner: 'murmur2_random',
      acks: -1,
      'linger.ms': 0,
      'enable.idempotence': true,
      'transactional.id': 't-1',
      'transaction.timeout.ms': 30_000,
      'retry.backoff.ms': 20,
    });
    expect(transactionalSettings({ transactionalId: 't', firstRetryMs: 5 })['retry.backoff.ms']).toBe(5);
    // A short transaction time-out needs a socket time-out within it, or librdkafka refuses the config.
    expect(
      transactionalSettings({ transactionalId: 't', transactionTimeoutMs: 15_000 })['socket.timeout.ms'],
    ).toBe(15_100);
  });

  it('consumers read committed from the beginning without auto-commit unless told otherwise', () => {
    expect(consumerSettings({ groupId: 'g', topics: ['t'] })).toMatchObject({
      kafkaJS: { groupId: 'g', fromBeginning: true, autoCommit: false, readUncommitted: false },
      'isolation.level': 'read_committed',
    });
    const tuned = consumerSettings({
      groupId: 'g',
      topics: ['t'],
      fromBeginning: false,
      readCommitted: false,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      maxWaitTimeMs: 50,
    });
    expect(tuned).toMatchObject({
      kafkaJS: {
        fromBeginning: false,
        readUncommitted: true,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 50,
      },
      'isolation.level': 'read_uncommitted',
    });
    expect(consumerSettings({ groupId: 'g', topics: ['t'] })).not.toHaveProperty('group.instance.id');
    expect(consumerSettings({ groupId: 'g', topics: ['t'], groupInstanceId: 'g-1' })).toMatchObject({
      'group.instance.id': 'g-1',
    });
  });

  it('librdkafka severities map to pino levels', () => {
    expect([0, 3, 4, 5, 6, 7].map(severityLevel)).toEqual([
      'error',
      'error',
      'warn',
      'info',
      'info',
      'debug',
    ]);
  });
});

describe('fatalConsumerError', () => {
  it('takes a static member fatal error for the fence by a newer member with its group.instance.id', () => {
    const fenced = fatalConsumerError({ code: -150, message: 'Local: Fatal error' }, codeNames, true);
    expect(fenced).toBeInstanceOf(KafkaClientError);
    expect(fenced?.code).toBe(FENCED);
    expect(fenced?.retryable).toBe(false);
    const named = {
      code: -150,
      message: 'Fatal consumer error: Broker: Static consumer fenced by other consumer',
    };
    expect(fatalConsumerError(named, codeNames, false)?.code).toBe(FENCED);
  });

  it('keeps other fatal errors fatal under their own name, and passes over errors librdkafka recovers from', () => {
    expect(fatalConsumerError({ code: -150, message: 'Local: Fatal error' }, codeNames, false)).toMatchObject(
      {
        code: 'KAFKA_FATAL',
        retryable: false,
      },
    );
    expect(
      fatalConsumerError({ code: -195, message: 'broker transport failure' }, codeNames, true),
    ).toBeUndefined();
    expect(fatalConsumerError({ code: -195, message: 'x', isFatal: true }, codeNames, false)?.retryable).toBe(
      false,
    );
  });
});
