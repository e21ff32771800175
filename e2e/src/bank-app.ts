import { type DepositEuro, TestIds } from '@open-bank/frontend';
import type { Page } from 'playwright-core';
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
