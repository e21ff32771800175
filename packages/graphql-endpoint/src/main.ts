import { exitOnStartupError, parseConfig } from '@open-bank/config';
import { createLogger, onShutdown } from '@open-bank/runtime';
import { graphqlEndpointConfigSpec, SERVICE, startGraphqlEndpoint } from './index.ts';

async function main(): Promise<void> {
  const config = parseConfig(graphqlEndpointConfigSpec, process.env);
  const logger = createLogger(SERVICE, config.logLevel);
  const endpoint = await startGraphqlEndpoint(config, { logger });
  onShutdown(logger, [() => endpoint.stop()]);
}

main().catch((e) => exitOnStartupError(SERVICE, e));
