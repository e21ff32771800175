// The Live view in a real Chromium under background load, the Grafana dashboard's metric names against
// the running stack's /metrics, and GraphiQL from the endpoint's own assets.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envVar, integer, parseConfig, text } from '@open-bank/config';
import { dashboardMetricNames, exposedMetricNames } from '@open-bank/deploy';
import { TestIds } from '@open-bank/frontend';
import { BASE_PORTS } from '@open-bank/stack';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankApp, DEFAULT_CHROMIUM_PATH, launchChromium } from './src/index.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');

const config = parseConfig(
  {
    portOffset: envVar('STACK_TEST_PORT_OFFSET', integer({ min: 0, max: 50_000 }), { default: '10000' }),
    chromium: envVar('CHROMIUM_PATH', text(), { default: DEFAULT_CHROMIUM_PATH }),
  },
  process.env,
);
const port = (name: keyof typeof BASE_PORTS) => BASE_PORTS[name] + config.portOffset;
const FRONTEND_URL = `http://localhost:${port('frontend')}`;
const HEARTBEAT_URL = `http://127.0.0.1:${port('heartbeatControl')}`;
/** Every process of the stack that serves /metrics, as the local stack hands them to the Live view. */
const METRICS_URLS = {
  heartbeat: `${HEARTBEAT_URL}/metrics`,
  'command-generator': `http://127.0.0.1:${port('commandGenerator')}/metrics`,
  'command-handler': `http://127.0.0.1:${port('commandHandler')}/metrics`,
  'graphql-endpoint': `http://127.0.0.1:${port('graphql')}/metrics`,
  'schema-registry': `http://127.0.0.1:${port('schemaRegistry')}/metrics`,
  'frontend-server': `http://127.0.0.1:${port('frontend')}/metrics`,
};
/** Beats per second the test loads the bank with; each beat becomes one command. */
const LOAD = 200;

async function setBatchSize(batchSize: number): Promise<void> {
  const res = await fetch(`${HEARTBEAT_URL}/state`, { method: 'PUT', body: JSON.stringify({ batchSize }) });
  expect(res.status).toBe(200);
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium(config.chromium);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});

afterAll(async () => {
  await setBatchSize(0).catch(() => undefined);
  await browser?.close();
});

const tile = (id: string) => `[data-testid="${id}"]`;
const number = (s: string | null) => Number((s ?? '').replaceAll(',', ''));

describe('the Live view', () => {
  it('shows commands per second near the load it sets, changing as it updates', async () => {
    const app = new BankApp(page, FRONTEND_URL);
    await app.open('/live');
    await page.waitForSelector(`${tile(TestIds.liveView)}[data-state="live"]`, { timeout: 30_000 });
    try {
      // The load control of local mode sets the heartbeat, as a visitor would.
      await page.fill(tile(TestIds.liveRateInput), String(LOAD));
      await page.click(tile(TestIds.liveRateSubmit));
      await expect
        .poll(() => page.textContent(tile(TestIds.liveRateResult)), { timeout: 10_000 })
        .toBe(`Heartbeat set to ${LOAD} per second.`);
      const near = (low: number, high: number) =>
        page.waitForFunction(
          ([selector, lo, hi]) => {
            const n = Number(
              (document.querySelector(selector as string)?.textContent ?? '').replaceAll(',', ''),
            );
            return n >= (lo as number) && n <= (hi as number);
          },
          [tile(TestIds.liveCommandsPerSecond), low, high] as const,
          { timeout: 60_000 },
        );
      // Rates cover the last few seconds: once the old window has passed they settle near the load.
      await near(LOAD * 0.7, LOAD * 1.3);
      const first = await page.textContent(tile(TestIds.liveCommandsPerSecond));
      const firstAt = Date.now();
      await page.waitForFunction(
        ([selector, old]) => document.querySelector(selector as string)?.textContent !== old,
        [tile(TestIds.liveCommandsPerSecond), first] as const,
        { timeout: 30_000 },
      );
      const second = await page.textContent(tile(TestIds.liveCommandsPerSecond));
      const secondAt = Date.now();
      expect(second).not.toBe(first);
      for (const reading of [first, second]) {
        expect(number(reading)).toBeGreaterThanOrEqual(LOAD * 0.7);
        expect(number(reading)).toBeLessThanOrEqual(LOAD * 1.3);
      }
      expect(secondAt - firstAt).toBeGreaterThan(500);
      expect(number(await page.textContent(tile(TestIds.liveHeartbeatsPerSecond)))).toBeGreaterThan(
        LOAD * 0.7,
      );
      expect(await page.textContent(tile(TestIds.liveLatency))).toMatch(/ms/);
      // A few points on the charts for the picture.
      await page.waitForFunction(() => document.querySelectorAll('.live-chart canvas').length >= 2);
      await page.screenshot({ path: join(SCREENSHOTS, 'live.png'), fullPage: true });
    } finally {
      await setBatchSize(0);
    }
  });
});

describe('the Grafana dashboard', () => {
  it('reads only metrics some service of the running stack exposes', async () => {
    const exposed = new Set<string>();
    for (const [name, url] of Object.entries(METRICS_URLS)) {
      const res = await fetch(url);
      expect(res.status, `${name} ${url}`).toBe(200);
      for (const n of exposedMetricNames(await res.text())) exposed.add(n);
    }
    const dashboard = JSON.parse(
      readFileSync(join(REPO, 'docker/grafana/dashboards/open-bank.json'), 'utf8'),
    );
    const names = dashboardMetricNames(dashboard);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !exposed.has(n))).toEqual([]);
  });
});

describe('GraphiQL', () => {
  it('loads from the endpoint itself with the example operations and runs a query', async () => {
    const origins = new Set<string>();
    page.on('request', (r) => {
      if (!r.url().startsWith('data:') && !r.url().startsWith('blob:')) origins.add(new URL(r.url()).origin);
    });
    await page.goto(`${FRONTEND_URL}/graphql`);
    await page.waitForSelector('.graphiql-container', { timeout: 60_000 });
    await page.getByText('LiveMetrics').first().waitFor({ timeout: 30_000 });
    expect(await page.getByText('TransactionsByIban').count()).toBeGreaterThan(0);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(
      () => /"transactions_by_iban"/.test(document.querySelector('.result-window')?.textContent ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'graphiql.png') });
    expect([...origins]).toEqual([FRONTEND_URL]);
  });
});
