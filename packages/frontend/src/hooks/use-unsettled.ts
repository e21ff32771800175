import { useEffect, useRef } from 'react';
import { afterAttempt, outcomeOf, retryDelayMs, type Unsettled, uuidFor } from '../lib/unsettled.ts';
import { newUuid } from '../lib/uuid.ts';

interface Waiter<R> {
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Sends requests that must happen at most once (money transfers, idempotent by their uuid). One whose outcome
 * is unknown (time-out, lost socket) is sent again under the same uuid, with back-off, until the bank answers
 * or refuses; a new send asking the same (same key) joins it instead of making a new request. `onUnknown`
 * tells the caller, to show the request as pending.
 */
export function useUnsettledRequests<R>() {
  const unsettled = useRef<Unsettled[]>([]);
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const waiters = useRef(new Map<string, Waiter<R>[]>());
  useEffect(
    () => () => {
      for (const t of timers.current.values()) clearTimeout(t);
    },
    [],
  );

  return (
    key: string,
    attempt: (uuid: string) => Promise<R>,
    onUnknown: (error: unknown, retryInMs: number) => void,
  ): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      const uuid = uuidFor(unsettled.current, key, newUuid);
      const list = waiters.current.get(uuid) ?? [];
      list.push({ resolve, reject });
      waiters.current.set(uuid, list);
      const finish = (f: (w: Waiter<R>) => void) => {
        const all = waiters.current.get(uuid) ?? [];
        waiters.current.delete(uuid);
        for (const w of all) f(w);
      };
      const run = async () => {
        timers.current.delete(uuid);
        try {
          const result = await attempt(uuid);
          unsettled.current = afterAttempt(unsettled.current, { key, uuid }, 'answered');
          finish((w) => w.resolve(result));
        } catch (error) {
          const outcome = outcomeOf(error);
          unsettled.current = afterAttempt(unsettled.current, { key, uuid }, outcome);
          if (outcome === 'refused') {
            finish((w) => w.reject(error));
            return;
          }
          const attempts = unsettled.current.find((u) => u.uuid === uuid)?.attempts ?? 1;
          const delay = retryDelayMs(attempts);
          onUnknown(error, delay);
          if (!timers.current.has(uuid))
            timers.current.set(
              uuid,
              setTimeout(() => void run(), delay),
            );
        }
      };
      // A new send of an unsettled request goes now, instead of at its scheduled retry.
      const scheduled = timers.current.get(uuid);
      if (scheduled !== undefined) {
        clearTimeout(scheduled);
        timers.current.delete(uuid);
        void run();
      } else if (list.length === 1) void run();
    });
}
