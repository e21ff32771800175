import { fileURLToPath } from 'node:url';
import { exitOnStartupError, parseConfig } from '@open-bank/config';
import { createLogger, onShutdown } from '@open-bank/runtime';
import { frontendServerConfigSpec, SERVICE, startFrontendServer } from './index.ts';

/** Where `pnpm --filter @open-bank/frontend build` puts the app in this repository. */
const REPO_BUILD = fileURLToPath(new URL('../../frontend/dist', import.meta.url));

async function main(): Promise<void> {
  const config = parseConfig(frontendServerConfigSpec, process.env);
  const logger = createLogger(SERVICE, config.logLevel);
  const staticDir = config.staticDir || REPO_BUILD;
  const server = await startFrontendServer({
    host: config.httpHost,
    port: config.port,
    graphqlUrl: config.graphqlUrl,
    staticDir,
    logger,
  });
  logger.info({ url: server.url, graphqlUrl: config.graphqlUrl, staticDir }, `frontend at ${server.url}`);
  onShutdown(logger, [() => server.close()]);
}

main().catch((e) => exitOnStartupError(SERVICE, e));
