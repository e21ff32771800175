// The bank through a real browser: Debian's Chromium, driven by playwright-core, against the frontend the
// e2e stack serves (the test profile's frontend port), which passes /graphql on to the real endpoint.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envVar, integer, parseConfig, text } from '@open-bank/config';
import { TestIds } from '@open-bank/frontend';
import { type FrontendServer, startFrontendServer } from '@open-bank/frontend-server';
import { createLogger } from '@open-bank/runtime';
import { BASE_PORTS } from '@open-bank/stack';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankApp, DEFAULT_CHROMIUM_PATH, launchChromium } from './src/index.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');
const COMPANY_IBAN = 'NL66OPEN0000000000';

// Ports as the global setup lays out the test stack (STACK_TEST_PORT_OFFSET, default +10000).
const config = parseConfig(
  {
    portOffset: envVar('STACK_TEST_PORT_OFFSET', integer({ min: 0, max: 50_000 }), { default: '10000' }),
    chromium: envVar('CHROMIUM_PATH', text(), { default: DEFAULT_CHROMIUM_PATH }),
  },
  process.env,
);
const FRONTEND_URL = `http://localhost:${BASE_PORTS.frontend + config.portOffset}`;
const GRAPHQL_URL = `http://127.0.0.1:${BASE_PORTS.graphql + config.portOffset}`;
const HEARTBEAT_URL = `http://127.0.0.1:${BASE_PORTS.heartbeatControl + config.portOffset}`;

/** Beats per 100 ms tick; the command generator turns each into a command. */
async function setLoad(batchSize: number): Promise<void> {
  const res = await fetch(`${HEARTBEAT_URL}/state`, { method: 'PUT', body: JSON.stringify({ batchSize }) });
  expect(res.status).toBe(200);
}

const run = randomUUID().slice(0, 8);
const USERNAME = `e2e-user-${run}`;
const PASSWORD = `secret-${run}`;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let app: BankApp;
let iban = '';
const cspConsole: string[] = [];

/** Desktop views as whole pages; on a phone what the screen shows, with the tab bar at its bottom. */
const shot = (name: string, target: Page = page, fullPage = true) =>
  target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium(config.chromium);
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  // Every Content-Security-Policy violation of the app's pages, checked after the walk through all views.
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('Content Security Policy')) cspConsole.push(m.text());
  });
  app = new BankApp(page, FRONTEND_URL);
});

afterAll(async () => {
  await browser?.close();
});

describe('the bank in a browser', () => {
  it('shows the company account on the home view, new transactions arriving without a reload', async () => {
    await app.open('/');
    expect(await page.title()).toBe('Open Bank');
    await page.waitForSelector(`[data-testid="${TestIds.transactionList}"]:not([aria-busy="true"])`);
    const before = await app.newestBalance();
    // A little background load: the command generator pays salaries from the company account.
    await setLoad(1);
    try {
      await page.waitForFunction(
        ([selector, old]) => {
          const now = document.querySelector(selector as string)?.textContent ?? null;
          return now !== null && now !== old;
        },
        [`[data-testid="${TestIds.newestNewBalance}"]`, before],
        { timeout: 30_000 },
      );
      await page.waitForTimeout(1_500);
    } finally {
      await setLoad(0);
    }
    expect(await page.locator(`[data-testid="${TestIds.transactionRow}"]`).count()).toBeGreaterThan(0);
    await shot('home');
  });

  it('shows why a login is refused before sending it', async () => {
    await app.goto('client');
    await page.fill(`[data-testid="${TestIds.loginUsername}"]`, 'short');
    await page.fill(`[data-testid="${TestIds.loginPassword}"]`, '1234567');
    await page.click(`[data-testid="${TestIds.loginSubmit}"]`);
    const help = await page.locator('.login-form .help.is-danger').allTextContents();
    expect(help).toEqual([
      'The username needs at least 8 characters',
      'The password needs at least 8 characters',
    ]);
    expect(await page.$(`[data-testid="${TestIds.accountIban}"]`)).toBeNull();
    await shot('client-login-validation');
  });

  it('opens an account, deposits 10 euro and shows €10,00 as the newest balance within 5 s', async () => {
    iban = await app.login(USERNAME, PASSWORD);
    expect(iban).toMatch(/^NL\d{2}OPEN0\d{9}$/);
    const balance = page.locator(`[data-testid="${TestIds.accountBalance}"]`);
    await expect.poll(() => balance.textContent()).toBe('€0,00');

    const clicked = Date.now();
    await app.deposit(10);
    const ms = await app.waitForNewestBalance('€10,00', 5_000, clicked);
    expect(ms).toBeLessThan(5_000);
    expect(await balance.textContent()).toBe('€10,00');
    await page.waitForSelector(`[data-testid="${TestIds.depositResult}"][data-state="success"]`);
    await shot('client');
  });

  it('transfers to the company account and shows the answer, success or the reason', async () => {
    const refused = await page.locator(`[data-testid="${TestIds.transferSubmit}"]`);
    await app.fillTransfer({ amount: '2,50', to: 'NL00OPEN0000000000', description: 'typo' });
    await refused.click();
    expect(await page.locator('.transfer-form .help.is-danger').allTextContents()).toEqual([
      'This is not a valid IBAN',
    ]);
    expect(await page.$(`[data-testid="${TestIds.transferResult}"]`)).toBeNull();

    const ok = await app.transfer({ amount: '2,50', to: COMPANY_IBAN, description: 'e2e transfer' });
    expect(ok).toEqual({ state: 'success', text: `Transferred €2,50 to ${COMPANY_IBAN}.` });
    await app.waitForNewestBalance('€7,50');

    // 1000 euro would take the account below its 500 euro limit.
    const failed = await app.transfer({ amount: '1000', to: COMPANY_IBAN, description: 'too much' });
    expect(failed.state).toBe('failure');
    expect(failed.text).toContain('insufficient funds');
    expect(await app.newestBalance()).toBe('€7,50');
    await shot('client-transfer');
  });

  it('finds the account in the bank employee view and watches its transactions', async () => {
    await app.goto('employee');
    await page.fill(`[data-testid="${TestIds.employeeFilter}"]`, iban.slice(-8));
    await page.click(`[data-testid="${TestIds.employeeAccount(iban)}"]`, { timeout: 15_000 });
    await app.waitForNewestBalance('€7,50');
    await page.fill(`[data-testid="${TestIds.employeeFilter}"]`, '');
    await shot('employee');
  });

  it('explains the architecture on the background view', async () => {
    await app.goto('background');
    await page.waitForSelector('svg.architecture');
    await page.waitForSelector(`[data-testid="${TestIds.benchCharts}"]:not([data-state="loading"])`);
    expect(await page.locator('svg.architecture .topic:not(.legend)').count()).toBe(8);
    await shot('background');
  });

  it('fits a phone-sized screen, and the same login gives the same account', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    try {
      const phonePage = await phone.newPage();
      const phoneApp = new BankApp(phonePage, FRONTEND_URL);
      await phoneApp.open('/');
      await phonePage.waitForSelector('[data-testid="transaction-list"]:not([aria-busy="true"])');
      await shot('phone-home', phonePage, false);
      expect(await phoneApp.login(USERNAME, PASSWORD)).toBe(iban);
      await phoneApp.waitForNewestBalance('€7,50');
      // Nothing wider than the screen: the layout reflows instead of scrolling sideways.
      expect(await phonePage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot('phone-client', phonePage, false);
      await phonePage.locator(`[data-testid="${TestIds.transactionList}"]`).scrollIntoViewIfNeeded();
      await shot('phone-transactions', phonePage, false);
    } finally {
      await phone.close();
    }
  });

  it('runs under its Content-Security-Policy and security headers without a single violation', async () => {
    const res = await fetch(FRONTEND_URL);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    const violations = await page.evaluate(
      () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
    );
    expect(violations).toEqual([]);
    expect(cspConsole).toEqual([]);
    // Through the frontend server, a page of another site is refused by the endpoint.
    const foreign = await fetch(`${FRONTEND_URL}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(foreign.status).toBe(403);
  });
});

describe('when the bank cannot be reached', () => {
  let server: FrontendServer | undefined;
  const logger = createLogger('frontend-e2e', 'silent');
  const serve = async (port: number) =>
    startFrontendServer({
      host: '127.0.0.1',
      port,
      graphqlUrl: GRAPHQL_URL,
      staticDir: join(REPO, 'packages', 'frontend', 'dist'),
      logger,
    });

  afterAll(async () => {
    await server?.close();
  });

  it('says so clearly and reconnects by itself once it is back', async () => {
    // A frontend server of the test's own, which it can stop and start again on the same port.
    server = await serve(0);
    const port = server.port;
    const own = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const ownPage = await own.newPage();
      const ownApp = new BankApp(ownPage, `http://127.0.0.1:${port}`);
      await ownApp.open('/');

      await server.close();
      server = undefined;
      await ownPage.waitForSelector(`[data-testid="${TestIds.connectionBanner}"]`, { timeout: 15_000 });
      await ownPage.waitForSelector(
        `[data-testid="${TestIds.connectionStatus}"][data-status="unreachable"]`,
        {
          timeout: 20_000,
        },
      );
      expect(await ownPage.textContent(`[data-testid="${TestIds.connectionBanner}"]`)).toContain(
        "The bank's server can't be reached.",
      );
      await shot('unreachable', ownPage);

      server = await serve(port);
      await ownApp.waitConnected(30_000);
      expect(await ownPage.$(`[data-testid="${TestIds.connectionBanner}"]`)).toBeNull();
    } finally {
      await own.close();
    }
  });
});
