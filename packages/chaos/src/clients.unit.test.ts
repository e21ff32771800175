import { describe, expect, it } from 'vitest';
import { endpointOwnAnswer, endpointTimeouts, errorKind } from './clients.ts';

describe("the endpoint's own answers", () => {
  it("tells the endpoint's time-out and shutdown answers from the command handler's", () => {
    expect(endpointOwnAnswer('no answer from the bank within 10000 ms; please try again')).toBe(
      'endpoint time-out',
    );
    expect(endpointOwnAnswer('the service is shutting down; please try again')).toBe(
      'endpoint shutting down',
    );
    expect(endpointOwnAnswer('insufficient funds')).toBeUndefined();
    expect(endpointOwnAnswer(null)).toBeUndefined();
  });

  it('counts the time-outs in the /metrics text, every command kind', () => {
    const text = [
      '# TYPE open_bank_graphql_answer_seconds histogram',
      'open_bank_graphql_answer_seconds_bucket{le="0.1",command="transfer",outcome="timeout"} 0',
      'open_bank_graphql_answer_seconds_count{command="transfer",outcome="answered"} 120',
      'open_bank_graphql_answer_seconds_count{command="transfer",outcome="timeout"} 2',
      'open_bank_graphql_answer_seconds_count{command="account",outcome="timeout"} 1',
      'open_bank_graphql_answer_seconds_sum{command="account",outcome="timeout"} 10.2',
    ].join('\n');
    expect(endpointTimeouts(text)).toBe(3);
    expect(endpointTimeouts('')).toBe(0);
  });
});

describe('errorKind', () => {
  it('groups what graphql-ws reports by kind', () => {
    expect(errorKind([{ message: 'Unexpected error.' }])).toBe('graphql: Unexpected error.');
    expect(errorKind(new Error('connect ECONNREFUSED 127.0.0.1:8888'))).toBe('connection refused');
    expect(errorKind({ type: 'error', message: 'connect ECONNREFUSED 127.0.0.1:8888' })).toBe(
      'connection refused',
    );
    expect(errorKind({ type: 'error', error: new Error('socket hang up') })).toBe('connection reset');
    expect(errorKind({ code: 1006, reason: '' })).toBe('socket closed (1006)');
    expect(errorKind('timeout')).toBe('timeout');
    expect(errorKind({})).toBe('unknown error');
  });
});
