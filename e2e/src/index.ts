export { type ActionResult, type AppView, BankApp, type TransferInput } from './bank-app.ts';
export { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH, launchChromium } from './browser.ts';
export { BrowserMissingError, E2eError, InteractionTimeoutError } from './errors.ts';
