import { exitOnStartupError, parseConfig } from '@open-bank/config';
import { createLogger, onShutdown } from '@open-bank/runtime';
import { commandHandlerConfigSpec } from './config.ts';
import { startCommandHandler } from './service.ts';

async function main(): Promise<void> {
  const config = parseConfig(commandHandlerConfigSpec, process.env);
  const logger = createLogger('command-handler', config.logLevel);
  const handler = await startCommandHandler(config, { logger });
  onShutdown(logger, [() => handler.stop()]);
}

main().catch((e) => exitOnStartupError('command-handler', e));
