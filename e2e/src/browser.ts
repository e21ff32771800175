import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { BrowserMissingError } from './errors.ts';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a quiet headless Chromium in a container: no sandbox (we run as root), no GPU, /tmp instead of a
 * small /dev/shm, and none of the background traffic (updates, sync, first-run pages) a test does not want.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
] as const;

/** The system's Chromium, headless; playwright-core never downloads a browser. */
export async function launchChromium(executablePath: string = DEFAULT_CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) throw new BrowserMissingError(executablePath);
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}
