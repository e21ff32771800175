import { PAGE_TIMING_GLOBAL } from '@open-bank/contract';
import { type DepositEuro, TestIds } from '@open-bank/frontend';
import type { Page } from 'playwright-core';
import type { PageParts } from './bench/run-file.ts';
import { InteractionTimeoutError } from './errors.ts';

export type AppView = 'home' | 'client' | 'employee' | 'background';

export interface TransferInput {
  readonly amount: string;
  readonly to: string;
  readonly description: string;
}

export interface ActionResult {
  readonly state: 'success' | 'failure';
  readonly text: string;
}

const byTestId = (id: string) => `[data-testid="${id}"]`;

/** Where the in-page measure of the armed interaction lives in the page. */
const BENCH_GLOBAL = '__openBankBench';

/** What the page saw of an armed interaction. */
export interface InPageResult {
  /** The new balance showed. */
  readonly seen: boolean;
  /** From the click event's timeStamp until a MutationObserver saw the new balance; null if not seen. */
  readonly inPageMs: number | null;
}

/**
 * The bank's web app as a person uses it, by its stable test ids: shared by the browser tests and the
 * benchmark, which time the same interactions.
 */
export class BankApp {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async open(path = '/'): Promise<void> {
    await this.page.goto(new URL(path, this.baseUrl).toString());
    await this.waitConnected();
  }

  /** The live connection to the bank (graphql-ws) is up. */
  async waitConnected(timeoutMs = 20_000): Promise<void> {
    await this.page.waitForSelector(`${byTestId(TestIds.connectionStatus)}[data-status="connected"]`, {
      timeout: timeoutMs,
    });
  }

  async connectionStatus(): Promise<string | null> {
    return this.page.getAttribute(byTestId(TestIds.connectionStatus), 'data-status');
  }

  async goto(view: AppView): Promise<void> {
    await this.page.click(byTestId(TestIds.nav(view)));
  }

  /** Logs in (opening the account on a new username) and answers the account's IBAN. */
  async login(username: string, password: string, timeoutMs = 30_000): Promise<string> {
    await this.goto('client');
    await this.page.fill(byTestId(TestIds.loginUsername), username);
    await this.page.fill(byTestId(TestIds.loginPassword), password);
    await this.page.click(byTestId(TestIds.loginSubmit));
    const iban = await this.page.waitForSelector(byTestId(TestIds.accountIban), { timeout: timeoutMs });
    return (await iban.textContent())?.trim() ?? '';
  }

  /** The new balance of the newest transaction in the list on screen, or null while the list is empty. */
  async newestBalance(): Promise<string | null> {
    const cell = await this.page.$(byTestId(TestIds.newestNewBalance));
    return cell ? ((await cell.textContent())?.trim() ?? null) : null;
  }

  /**
   * Waits until the newest transaction shows this new balance; answers how long that took. A MutationObserver
   * in the page wakes only when the DOM changes, so a long wait costs the browser no CPU (polling every
   * animation frame would, and would weigh on a benchmark that measures everything else's CPU).
   */
  async waitForNewestBalance(expected: string, timeoutMs = 5_000, since = Date.now()): Promise<number> {
    const remaining = Math.max(1, timeoutMs - (Date.now() - since));
    // Sent as source text: tsx's transform would wrap the named helpers in a __name() call that does not
    // exist in the page.
    const script = `new Promise((resolve) => {
      const selector = ${JSON.stringify(byTestId(TestIds.newestNewBalance))};
      const want = ${JSON.stringify(expected)};
      const shows = () => document.querySelector(selector)?.textContent?.trim() === want;
      if (shows()) return resolve(true);
      const observer = new MutationObserver(() => {
        if (!shows()) return;
        observer.disconnect();
        clearTimeout(timer);
        resolve(true);
      });
      const timer = setTimeout(() => {
        observer.disconnect();
        resolve(shows());
      }, ${remaining});
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    })`;
    const seen = await this.page.evaluate<boolean>(script).catch(() => false);
    if (!seen)
      throw new InteractionTimeoutError(`newest balance ${expected}`, timeoutMs, await this.newestBalance());
    return Date.now() - since;
  }

  /**
   * Prepares the in-page measure of the next interaction: a capturing click listener takes the click
   * event's timeStamp, and a MutationObserver the moment the newest balance reads `expected` after it, both
   * in the page's own clock, so the driver's round trips to the browser are not in the figure. Call it
   * before the click; a previous armed interaction is dropped.
   */
  async armInteraction(expected: string): Promise<void> {
    // Source text, as in waitForNewestBalance.
    await this.page.evaluate(`(() => {
      const previous = window[${JSON.stringify(BENCH_GLOBAL)}];
      if (previous) previous.cancel();
      const selector = ${JSON.stringify(byTestId(TestIds.newestNewBalance))};
      const want = ${JSON.stringify(expected)};
      const st = { armedAt: performance.now(), clickAt: null, seenAt: null };
      let resolveDone;
      st.done = new Promise((r) => { resolveDone = r; });
      const shows = () => document.querySelector(selector)?.textContent?.trim() === want;
      const check = () => {
        if (st.clickAt === null || st.seenAt !== null || !shows()) return;
        st.seenAt = performance.now();
        st.cancel();
        resolveDone(true);
      };
      const onClick = (e) => {
        st.clickAt = e.timeStamp;
        window.removeEventListener('click', onClick, true);
      };
      const observer = new MutationObserver(check);
      st.cancel = () => {
        observer.disconnect();
        window.removeEventListener('click', onClick, true);
      };
      window.addEventListener('click', onClick, true);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      window[${JSON.stringify(BENCH_GLOBAL)}] = st;
    })()`);
  }

  /** Waits up to `timeoutMs` for the armed interaction's balance (again after a time-out, if need be). */
  async awaitInteraction(timeoutMs: number): Promise<InPageResult> {
    const result = await this.page
      .evaluate<InPageResult>(`(async () => {
        const st = window[${JSON.stringify(BENCH_GLOBAL)}];
        if (!st) return { seen: false, inPageMs: null };
        const seen = st.seenAt !== null || (await Promise.race([
          st.done,
          new Promise((r) => setTimeout(() => r(false), ${Math.max(1, Math.round(timeoutMs))})),
        ]));
        const inPageMs = seen && st.clickAt !== null ? Math.round((st.seenAt - st.clickAt) * 10) / 10 : null;
        return { seen, inPageMs };
      })()`)
      .catch(() => undefined);
    return result ?? { seen: false, inPageMs: null };
  }

  /**
   * The page's own timing of the armed interaction (its entry in window.__openBankTimings, in ms after the
   * click), waiting up to `waitMs` for it to be complete (the answer may come after the balance showed).
   * Null when the page recorded none.
   */
  async pageParts(waitMs = 2_000): Promise<PageParts | null> {
    return this.page
      .evaluate<PageParts | null>(`(async () => {
        const st = window[${JSON.stringify(BENCH_GLOBAL)}];
        const list = window[${JSON.stringify(PAGE_TIMING_GLOBAL)}];
        if (!st || !Array.isArray(list)) return null;
        const find = () => {
          for (let i = list.length - 1; i >= 0; i--) if (list[i].clickAt >= st.armedAt) return list[i];
          return null;
        };
        const complete = (e) =>
          e !== null && e.requestSentAt !== null && e.answerAt !== null && e.pushAt !== null && e.renderedAt !== null;
        const until = performance.now() + ${Math.max(0, Math.round(waitMs))};
        let e = find();
        while (!complete(e) && performance.now() < until) {
          await new Promise((r) => setTimeout(r, 20));
          e = find();
        }
        if (e === null) return null;
        const rel = (t) => (t === null ? null : Math.round((t - e.clickAt) * 10) / 10);
        return { sentMs: rel(e.requestSentAt), answerMs: rel(e.answerAt), pushMs: rel(e.pushAt), renderedMs: rel(e.renderedAt) };
      })()`)
      .catch(() => null);
  }

  /** Clicks one of the deposit buttons; the balance shows up in the list by itself. */
  async deposit(euro: DepositEuro): Promise<void> {
    await this.page.click(byTestId(TestIds.deposit(euro)));
  }

  async fillTransfer(input: TransferInput): Promise<void> {
    await this.page.fill(byTestId(TestIds.transferAmount), input.amount);
    await this.page.fill(byTestId(TestIds.transferTo), input.to);
    await this.page.fill(byTestId(TestIds.transferDescription), input.description);
  }

  /** Sends a transfer and waits for the bank's answer as the form shows it. */
  async transfer(input: TransferInput, timeoutMs = 30_000): Promise<ActionResult> {
    await this.fillTransfer(input);
    await this.page.click(byTestId(TestIds.transferSubmit));
    const result = await this.page.waitForSelector(
      `${byTestId(TestIds.transferResult)}:is([data-state="success"], [data-state="failure"])`,
      { timeout: timeoutMs },
    );
    return {
      state: (await result.getAttribute('data-state')) === 'success' ? 'success' : 'failure',
      text: (await result.textContent())?.trim() ?? '',
    };
  }
}
