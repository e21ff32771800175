import { describe, expect, it } from 'vitest';
import {
  type ConnectionEvent,
  connectionReducer,
  connectionText,
  INITIAL_CONNECTION,
  retryDelayMs,
} from './connection.ts';

const run = (...events: ConnectionEvent[]) => events.reduce(connectionReducer, INITIAL_CONNECTION);

describe('retryDelayMs', () => {
  it('doubles from 1 s up to 15 s, plus at most 30% jitter', () => {
    expect(retryDelayMs(0, () => 0)).toBe(1_000);
    expect(retryDelayMs(1, () => 0)).toBe(2_000);
    expect(retryDelayMs(3, () => 0)).toBe(8_000);
    expect(retryDelayMs(10, () => 0)).toBe(15_000);
    expect(retryDelayMs(1_000, () => 0.999)).toBeLessThanOrEqual(19_500);
  });
});

describe('connectionReducer', () => {
  it('goes from connecting to connected', () => {
    expect(run({ type: 'connecting' }, { type: 'connected' }).status).toBe('connected');
  });

  it('is reconnecting after losing a connection, and unreachable when the retry fails too', () => {
    const lost = run({ type: 'connected' }, { type: 'closed' }, { type: 'waiting', retries: 0, retryAt: 5 });
    expect(lost.status).toBe('reconnecting');
    expect(lost.retryAt).toBe(5);
    const failedAgain = [
      { type: 'connecting' },
      { type: 'closed' },
      { type: 'waiting', retries: 1, retryAt: 9 },
    ] as const satisfies ConnectionEvent[];
    const gone = failedAgain.reduce(connectionReducer, lost);
    expect(gone.status).toBe('unreachable');
    expect(gone.failures).toBe(1);
    expect(connectionReducer(gone, { type: 'connected' })).toEqual({
      status: 'connected',
      failures: 0,
      retryAt: null,
    });
  });

  it('counts a server that was never reached as unreachable after its second failure', () => {
    const s = run(
      { type: 'connecting' },
      { type: 'closed' },
      { type: 'waiting', retries: 0, retryAt: 1 },
      { type: 'connecting' },
      { type: 'closed' },
      { type: 'waiting', retries: 1, retryAt: 2 },
    );
    expect(s.status).toBe('unreachable');
  });
});

describe('connectionText', () => {
  it('counts down to the next attempt', () => {
    expect(connectionText({ status: 'unreachable', failures: 2, retryAt: 4_200 }, 1_000)).toBe(
      'Unreachable, retrying in 4 s',
    );
    expect(connectionText({ status: 'unreachable', failures: 2, retryAt: 900 }, 1_000)).toBe(
      'Unreachable, retrying…',
    );
    expect(connectionText({ status: 'connected', failures: 0, retryAt: null }, 0)).toBe('Live');
  });
});
