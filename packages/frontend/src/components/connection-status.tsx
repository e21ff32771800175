import { useEffect, useState } from 'react';
import { useConnection } from '../client-context.tsx';
import { connectionText } from '../lib/connection.ts';
import { TestIds } from '../test-ids.ts';

/** Re-renders every second while a countdown is shown. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [active]);
  return active ? now : Date.now();
}

/** The small live indicator in the navbar. */
export function ConnectionStatus() {
  const state = useConnection();
  const now = useNow(state.retryAt !== null);
  return (
    <span
      className={`connection-status is-${state.status}`}
      data-testid={TestIds.connectionStatus}
      data-status={state.status}
      role="status"
      title="Connection to the bank's live updates"
    >
      <span className="dot" aria-hidden="true" />
      {connectionText(state, now)}
    </span>
  );
}

/** A clear message while the bank cannot be reached; the client keeps reconnecting by itself. */
export function ConnectionBanner() {
  const state = useConnection();
  const now = useNow(state.retryAt !== null);
  if (state.status === 'connected' || state.status === 'connecting') return null;
  const unreachable = state.status === 'unreachable';
  return (
    <div
      className={`connection-banner notification is-radiusless mb-0 ${unreachable ? 'is-danger' : 'is-warning'}`}
      data-testid={TestIds.connectionBanner}
      data-status={state.status}
      role="alert"
    >
      <div className="container">
        <strong>{unreachable ? "The bank's server can't be reached." : 'Connection lost.'}</strong>{' '}
        {connectionText(state, now).replace(/^Unreachable, r/, 'R')}. Live updates pause and actions may fail
        until it is back; nothing needs to be reloaded.
      </div>
    </div>
  );
}
