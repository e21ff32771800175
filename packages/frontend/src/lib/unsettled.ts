import { BankClientError } from '../errors.ts';

/**
 * Requests whose outcome is unknown: sent, but neither answered nor refused (a time-out, a lost socket). The
 * bank may have handled one, so it is only ever sent again under its own uuid — never as a new request, which
 * could move the money twice. Pure, so the rules are tested without a browser.
 */
export interface Unsettled {
  /** What was asked, e.g. the amount and accounts, so a new click asking the same finds it. */
  readonly key: string;
  readonly uuid: string;
  /** Attempts so far that ended without an answer. */
  readonly attempts: number;
}

export type AttemptOutcome = 'answered' | 'refused' | 'unknown';

/** Whether a failed request may have been handled after all: only when no answer came at all. */
export function outcomeOf(error: unknown): AttemptOutcome {
  return error instanceof BankClientError && error.retryable ? 'unknown' : 'refused';
}

/** The uuid to send a request under: that of an unsettled request asking the same, else a fresh one. */
export function uuidFor(unsettled: readonly Unsettled[], key: string, fresh: () => string): string {
  return unsettled.find((u) => u.key === key)?.uuid ?? fresh();
}

/** The unsettled requests after an attempt: an answer or a refusal settles it, no answer keeps it. */
export function afterAttempt(
  unsettled: readonly Unsettled[],
  attempt: { readonly key: string; readonly uuid: string },
  outcome: AttemptOutcome,
): Unsettled[] {
  const others = unsettled.filter((u) => u.uuid !== attempt.uuid);
  if (outcome !== 'unknown') return others;
  const before = unsettled.find((u) => u.uuid === attempt.uuid);
  return [...others, { key: attempt.key, uuid: attempt.uuid, attempts: (before?.attempts ?? 0) + 1 }];
}

/** How long to wait before sending an unsettled request again: 1, 2, 4, 8 s, then every 15 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(15_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}
