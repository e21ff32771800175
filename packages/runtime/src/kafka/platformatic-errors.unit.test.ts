import { MultipleErrors, NetworkError, ResponseError, TimeoutError, UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { FENCED, KafkaClientError } from './errors.ts';
import { mapPlatformaticError } from './platformatic-errors.ts';

// Api keys of the requests the errors answer: EndTxn 26, CreatePartitions 37, Fetch 1.
const response = (apiKey: number, ...codes: number[]) =>
  new ResponseError(apiKey, 0, Object.fromEntries(codes.map((c, i) => [`/partitions/${i}`, [c, null]])), {});

describe('mapPlatformaticError', () => {
  it('names a broker error by its protocol name and keeps the protocol retry flag', () => {
    const e = mapPlatformaticError(new MultipleErrors('Creating partitions failed.', [response(37, 37)]));
    expect(e).toBeInstanceOf(KafkaClientError);
    expect(e.code).toBe('KAFKA_INVALID_PARTITIONS');
    expect(e.retryable).toBe(false);
    const retriable = mapPlatformaticError(response(1, 6));
    expect(retriable.code).toBe('KAFKA_NOT_LEADER_OR_FOLLOWER');
    expect(retriable.retryable).toBe(true);
  });

  it.each([
    [90, 'PRODUCER_FENCED'],
    [47, 'INVALID_PRODUCER_EPOCH'],
    [82, 'FENCED_INSTANCE_ID'],
  ])('maps %i (%s) to the fenced code, never retryable', (code) => {
    const e = mapPlatformaticError(response(26, code));
    expect(e.code).toBe(FENCED);
    expect(e.retryable).toBe(false);
  });

  it('prefers fencing, then a final error, then the last attempt among several', () => {
    const retries = new MultipleErrors('endTransaction failed 3 times.', [
      response(26, 51),
      new NetworkError('Connection closed'),
      response(26, 90),
    ]);
    expect(mapPlatformaticError(retries).code).toBe(FENCED);
    const mixed = new MultipleErrors('x', [response(1, 6), response(1, 29)]);
    expect(mapPlatformaticError(mixed).code).toBe('KAFKA_TOPIC_AUTHORIZATION_FAILED');
    const attempts = new MultipleErrors('x', [response(1, 6), response(1, 51)]);
    expect(mapPlatformaticError(attempts).code).toBe('KAFKA_CONCURRENT_TRANSACTIONS');
  });

  it("names the client's own failures", () => {
    const timeout = mapPlatformaticError(new TimeoutError('Request timed out'));
    expect([timeout.code, timeout.retryable]).toEqual(['KAFKA_REQUEST_TIMED_OUT', true]);
    const network = mapPlatformaticError(new MultipleErrors('x', [new NetworkError('Connection closed')]));
    expect([network.code, network.retryable]).toEqual(['KAFKA_NETWORK_EXCEPTION', true]);
    const closed = mapPlatformaticError(new NetworkError('Client is closed.', { closed: true }));
    expect([closed.code, closed.retryable]).toEqual(['KAFKA_CLIENT_CLOSED', false]);
    const unknown = mapPlatformaticError(new UserError('Unknown topic orders.'));
    expect(unknown.code).toBe('KAFKA_UNKNOWN_TOPIC_OR_PARTITION');
    // A fetch after a broker loss: tries that could not connect, then the node gone from the metadata.
    const lostLeader = mapPlatformaticError(
      new MultipleErrors('fetch failed 3 times.', [
        new NetworkError('Connection refused'),
        new NetworkError('Connection refused'),
        new UserError('Cannot find broker with node id 2'),
      ]),
    );
    expect([lostLeader.code, lostLeader.retryable]).toEqual(['KAFKA_BROKER_NOT_AVAILABLE', true]);
    const usage = mapPlatformaticError(new UserError('There is already an active transaction.'));
    expect([usage.code, usage.retryable]).toEqual(['KAFKA_INVALID_REQUEST', false]);
  });

  it('keeps the client error as the cause', () => {
    const original = response(37, 37);
    expect(mapPlatformaticError(original).cause).toBe(original);
  });
});
