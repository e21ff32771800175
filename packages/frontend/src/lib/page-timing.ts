/**
 * The page's own part of an interaction (a deposit or a transfer), timed in the page's clock
 * (`performance.now()`, in which `event.timeStamp` is given too): when the person clicked, when the request
 * left on the WebSocket, when its answer and its balance change arrived, and when the new balance was in the
 * DOM. The benchmark reads the entries from `window[PAGE_TIMING_GLOBAL]`; nothing in the app reads them.
 * Every call is an array scan of a few entries and a number stored, so the recorder stays on.
 */

export type TimedInteraction = 'deposit' | 'transfer';

export interface PageTiming {
  readonly kind: TimedInteraction;
  /** The account whose list shows the interaction's balance change. */
  readonly iban: string;
  /** The click's `event.timeStamp`. */
  readonly clickAt: number;
  /** The money_transfer subscription handed to the WebSocket. */
  requestSentAt: number | null;
  /** Its answer arrived. */
  answerAt: number | null;
  /** The stream_transactions event of the account arrived on the socket. */
  pushAt: number | null;
  /** That transaction's new balance is in the DOM at the top of the list (React committed it). */
  renderedAt: number | null;
  /** The id of the transaction the push carried, to know when it is rendered. */
  transactionId: number | null;
}

/** How many entries are kept: a benchmark reads each one within a second of its interaction. */
export const PAGE_TIMING_LIMIT = 50;

export class PageTimings {
  /** Oldest first; the array the page exposes, so the benchmark reads it without a copy being made. */
  readonly entries: PageTiming[] = [];

  constructor(private readonly limit = PAGE_TIMING_LIMIT) {}

  /** An interaction began with a click at `clickAt`; answers its entry, which the other calls fill in. */
  begin(kind: TimedInteraction, iban: string, clickAt: number): PageTiming {
    const entry: PageTiming = {
      kind,
      iban,
      clickAt,
      requestSentAt: null,
      answerAt: null,
      pushAt: null,
      renderedAt: null,
      transactionId: null,
    };
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return entry;
  }

  sent(entry: PageTiming, at: number): void {
    entry.requestSentAt ??= at;
  }

  answered(entry: PageTiming, at: number): void {
    entry.answerAt ??= at;
  }

  /**
   * A transaction of `iban` arrived live: it is the balance change of that account's oldest interaction
   * whose request went out and which has had no push yet (a person's interactions on one account are
   * booked in the order they were sent).
   */
  pushed(iban: string, transactionId: number, at: number): void {
    for (const e of this.entries) {
      if (e.iban !== iban || e.pushAt !== null || e.requestSentAt === null) continue;
      e.pushAt = at;
      e.transactionId = transactionId;
      return;
    }
  }

  /** The list of `iban` now shows `newestId` at the top: an interaction waiting for it is rendered. */
  rendered(iban: string, newestId: number, at: number): void {
    for (const e of this.entries) {
      if (e.iban === iban && e.renderedAt === null && e.transactionId !== null && e.transactionId <= newestId)
        e.renderedAt = at;
    }
  }
}
