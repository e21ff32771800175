import { exitOnStartupError, parseConfig } from '@open-bank/config';
import { createLogger, onShutdown } from '@open-bank/runtime';
import { heartbeatConfigSpec } from './config.ts';
import { startHeartbeat } from './service.ts';
import { realTimer } from './ticker.ts';

async function main(): Promise<void> {
  const config = parseConfig(heartbeatConfigSpec, process.env);
  const logger = createLogger('heartbeat', config.logLevel);
  const heartbeat = await startHeartbeat(config, { clock: () => new Date(), timer: realTimer, logger });
  onShutdown(logger, [() => heartbeat.stop()]);
}

main().catch((e) => exitOnStartupError('heartbeat', e));
