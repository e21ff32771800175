import { describe, expect, it } from 'vitest';
import { kafkaClientOf, kafkaNodesRunning, parseEnviron } from './stack-setup.ts';

describe('what a local stack runs on', () => {
  it('reads a process environment', () => {
    expect(parseEnviron('PATH=/bin\0KAFKA_CLIENT=confluent\0X=a=b\0')).toEqual({
      PATH: '/bin',
      KAFKA_CLIENT: 'confluent',
      X: 'a=b',
    });
  });

  it('finds the one Kafka client of the services, kafkajs when unset, or says they differ', () => {
    expect(kafkaClientOf({ a: undefined, b: 'kafkajs' })).toEqual({ ok: true, client: 'kafkajs' });
    expect(kafkaClientOf({ a: 'confluent', b: 'confluent' })).toEqual({ ok: true, client: 'confluent' });
    expect(kafkaClientOf({})).toEqual({ ok: true, client: undefined });
    expect(kafkaClientOf({ a: 'confluent', b: undefined })).toEqual({
      ok: false,
      clients: { a: 'confluent', b: 'kafkajs' },
    });
  });

  it('counts the Kafka nodes that run', () => {
    expect(kafkaNodesRunning(['kafka-1', 'kafka-2', 'kafka-3', 'postgres', 'kafka-ui'])).toBe(3);
  });
});
