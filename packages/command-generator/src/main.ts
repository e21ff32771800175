import { exitOnStartupError, parseConfig } from '@open-bank/config';
import { createLogger, onShutdown } from '@open-bank/runtime';
import { commandGeneratorConfigSpec } from './config.ts';
import { secureRandom } from './random.ts';
import { startCommandGenerator } from './service.ts';

async function main(): Promise<void> {
  const config = parseConfig(commandGeneratorConfigSpec, process.env);
  const logger = createLogger('command-generator', config.logLevel);
  const generator = await startCommandGenerator(config, {
    random: secureRandom,
    clock: () => new Date(),
    logger,
  });
  onShutdown(logger, [() => generator.stop()]);
}

main().catch((e) => exitOnStartupError('command-generator', e));
