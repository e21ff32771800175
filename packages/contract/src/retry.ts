/**
 * Runs `fn` again while `again` says its error is worth another try, pausing `pauseMs` between tries, for
 * up to `forMs`; then the last error goes to the caller. For the admin reads a moment's wait cures (a
 * partition's leader not yet known to the broker that the metadata names). Here, free of Node's own modules,
 * because the services that share no other package (the synchronizer, the schema registry) need it too.
 */
export async function retryWhile<T>(
  fn: () => Promise<T>,
  again: (error: unknown) => boolean,
  { forMs, pauseMs }: { readonly forMs: number; readonly pauseMs: number },
): Promise<T> {
  const deadline = Date.now() + forMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!again(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/**
 * Settles with `work`, or when `ms` pass first, rejects with what `onTimeout` returns (or resolves with
 * undefined, when it returns undefined). `work` goes on; its outcome after the time-out is ignored (the race
 * has handled it, so a late rejection is no unhandled one).
 */
export function deadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T>;
export function deadline<T>(
  work: Promise<T>,
  ms: number,
  onTimeout: () => Error | undefined,
): Promise<T | undefined>;
export function deadline<T>(
  work: Promise<T>,
  ms: number,
  onTimeout: () => Error | undefined,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve, reject) => {
    timer = setTimeout(() => {
      const e = onTimeout();
      if (e) reject(e);
      else resolve(undefined);
    }, ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
