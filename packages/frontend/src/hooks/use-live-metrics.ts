import { useEffect, useState } from 'react';
import { useBankClient } from '../client-context.tsx';
import { describeError } from '../errors.ts';
import { appendPoint, LIVE_METRICS_SUBSCRIPTION, type LiveMetrics, type LivePoint } from '../lib/live.ts';

export interface LiveState {
  readonly latest: LiveMetrics | null;
  readonly history: readonly LivePoint[];
  readonly error: string | null;
}

/** The live_metrics subscription while the view is open: the newest figures and a short history. */
export function useLiveMetrics(): LiveState {
  const client = useBankClient();
  const [state, setState] = useState<LiveState>({ latest: null, history: [], error: null });
  useEffect(() => {
    let origin: number | undefined;
    const stop = client.stream<{ live_metrics: LiveMetrics | null }>(
      LIVE_METRICS_SUBSCRIPTION,
      {},
      {
        next: (data) => {
          const m = data.live_metrics;
          if (!m) return;
          origin ??= Date.parse(m.at);
          const from = origin;
          setState((s) => ({ latest: m, history: appendPoint(s.history, m, from), error: null }));
        },
        error: (e) => setState((s) => ({ ...s, error: describeError(e) })),
      },
    );
    return stop;
  }, [client]);
  return state;
}
