/**
 * The WebSocket to /graphql, as the connection banner shows it. `reconnecting`: the connection was lost and
 * the first attempt to get it back is under way; `unreachable`: attempts keep failing (the next is at retryAt).
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'unreachable';

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** Failed attempts in a row. */
  readonly failures: number;
  /** When the next attempt starts (epoch ms), while waiting for it. */
  readonly retryAt: number | null;
}

export const INITIAL_CONNECTION: ConnectionState = { status: 'connecting', failures: 0, retryAt: null };

/** Exponential backoff from 1 s, at most 15 s, with up to 30% jitter so many browsers do not return at once. */
export function retryDelayMs(retries: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 1_000 * 2 ** Math.min(retries, 10));
  return Math.round(base * (1 + 0.3 * random()));
}

export type ConnectionEvent =
  | { readonly type: 'connecting' }
  | { readonly type: 'connected' }
  | { readonly type: 'closed' }
  | { readonly type: 'waiting'; readonly retries: number; readonly retryAt: number };

export function connectionReducer(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  switch (event.type) {
    case 'connecting':
      return {
        ...state,
        status: state.status === 'connected' ? 'reconnecting' : state.status,
        retryAt: null,
      };
    case 'connected':
      return { status: 'connected', failures: 0, retryAt: null };
    case 'closed':
      return {
        ...state,
        status: state.status === 'connected' ? 'reconnecting' : state.status,
        failures: state.status === 'connected' ? 0 : state.failures + 1,
      };
    case 'waiting':
      // The first retry after losing a working connection is routine; repeated failures mean the server is gone.
      return {
        status: event.retries === 0 && state.status !== 'unreachable' ? 'reconnecting' : 'unreachable',
        failures: state.failures,
        retryAt: event.retryAt,
      };
  }
}

export function connectionText(state: ConnectionState, now: number): string {
  switch (state.status) {
    case 'connected':
      return 'Live';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'unreachable': {
      if (state.retryAt === null || state.retryAt <= now) return 'Unreachable, retrying…';
      return `Unreachable, retrying in ${Math.ceil((state.retryAt - now) / 1000)} s`;
    }
  }
}
