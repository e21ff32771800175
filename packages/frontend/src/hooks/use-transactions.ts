import { useCallback, useEffect, useLayoutEffect, useReducer, useState } from 'react';
import { flushSync } from 'react-dom';
import { streamTransactions, transactionsByIban } from '../api/bank.ts';
import { useBankClient } from '../client-context.tsx';
import { describeError } from '../errors.ts';
import {
  DEFAULT_MAX_ITEMS,
  initialTransactions,
  type Transaction,
  type TransactionsState,
  transactionsReducer,
} from '../lib/transactions.ts';

/** Live items closer together than this are a burst, applied once per animation frame. */
const BURST_MS = 50;

export interface LiveTransactions extends TransactionsState {
  setMaxItems(maxItems: number): void;
}

/**
 * The newest transactions of one account, kept live. The stream is opened before the query, so what is
 * stored while the query runs still arrives; after the WebSocket reconnects the list is queried again for
 * what was missed. Live items arriving in a burst (the company account under load) are applied once per
 * animation frame.
 */
export function useTransactions(iban: string, initialMax = DEFAULT_MAX_ITEMS): LiveTransactions {
  const client = useBankClient();
  const [state, dispatch] = useReducer(transactionsReducer, initialMax, initialTransactions);
  const [reconnects, setReconnects] = useState(0);

  useEffect(() => {
    let live = true;
    dispatch({ type: 'reset' });
    const buffer: Transaction[] = [];
    let scheduled = false;
    let flushedAt = Number.NEGATIVE_INFINITY;
    const flush = () => {
      scheduled = false;
      flushedAt = performance.now();
      if (live && buffer.length > 0) dispatch({ type: 'received', items: buffer.splice(0) });
    };
    const stop = streamTransactions(client, iban, {
      next: (t) => {
        const at = performance.now();
        client.timings.pushed(iban, t.id, at);
        buffer.push(t);
        if (scheduled) return;
        // A transaction after a quiet spell is shown at once (waiting for the next animation frame cost 8 ms
        // on average); a burst (the company account under load) is applied once per frame.
        if (!document.hidden && at - flushedAt > BURST_MS) {
          flushSync(flush);
          return;
        }
        scheduled = true;
        // Hidden tabs get no animation frames; they still catch up, less often.
        if (document.hidden) setTimeout(flush, 250);
        else requestAnimationFrame(flush);
      },
      error: (e) => {
        if (live) dispatch({ type: 'failed', error: describeError(e) });
      },
    });
    const offReconnect = client.onReconnect(() => setReconnects((n) => n + 1));
    return () => {
      live = false;
      stop();
      offReconnect();
    };
  }, [client, iban]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a reconnect is a reason to query again
  useEffect(() => {
    let live = true;
    dispatch({ type: 'loading' });
    transactionsByIban(client, iban, state.maxItems).then(
      (items) => live && dispatch({ type: 'loaded', items }),
      (e: unknown) => live && dispatch({ type: 'failed', error: describeError(e) }),
    );
    return () => {
      live = false;
    };
  }, [client, iban, state.maxItems, reconnects]);

  // Runs right after React put a new top of the list into the DOM (before the browser paints it): the end
  // of the page's own part of an interaction.
  const newestId = state.items[0]?.id;
  useLayoutEffect(() => {
    if (newestId !== undefined) client.timings.rendered(iban, newestId, performance.now());
  }, [client, iban, newestId]);

  const setMaxItems = useCallback((maxItems: number) => dispatch({ type: 'max-items', maxItems }), []);
  return { ...state, setMaxItems };
}
