import { describe, expect, it } from 'vitest';
import { errorKind } from './clients.ts';

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
