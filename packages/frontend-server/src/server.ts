import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createMetrics, type Logger, sendJson } from '@open-bank/runtime';
import { ListenError } from './errors.ts';
import { GraphqlProxy, upstreamOf } from './proxy.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { staticHandler } from './static-files.ts';

export const GRAPHQL_PATH = '/graphql';

export interface FrontendServerOptions {
  readonly host: string;
  readonly port: number;
  /** Base URL of the GraphQL endpoint, e.g. http://127.0.0.1:8888. */
  readonly graphqlUrl: string;
  readonly staticDir: string;
  readonly logger: Logger;
}

export interface FrontendServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

/**
 * The app on one origin with its API, as the browser expects it: the built frontend at `/`, `/graphql`
 * (HTTP and WebSocket) passed to the endpoint, `/health` (200 once a built frontend is there) and
 * `/metrics` (process metrics for Prometheus).
 */
export async function startFrontendServer(options: FrontendServerOptions): Promise<FrontendServer> {
  const { logger } = options;
  const proxy = new GraphqlProxy(upstreamOf(options.graphqlUrl), logger);
  const serveStatic = staticHandler(options.staticDir);
  const index = join(options.staticDir, 'index.html');
  // Process metrics (CPU, memory, event loop) as every service has them, for Prometheus and the Live view.
  const metrics = createMetrics('frontend-server').registry;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const path = pathOf(req);
    if (path === GRAPHQL_PATH) {
      proxy.http(req, res);
      return;
    }
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      const built = existsSync(index);
      sendJson(res, built ? 200 : 503, {
        status: built ? 'ok' : 'not-built',
        ...(built ? {} : { hint: 'build the frontend: pnpm --filter @open-bank/frontend build' }),
      });
      return;
    }
    if (path === '/metrics' && req.method === 'GET') {
      metrics.metrics().then(
        (text) => {
          res.writeHead(200, {
            'content-type': metrics.contentType,
            'content-length': Buffer.byteLength(text),
          });
          res.end(text);
        },
        (e: unknown) => {
          logger.error({ err: e }, 'metrics failed');
          sendJson(res, 500, { error: 'internal error' });
        },
      );
      return;
    }
    serveStatic(req, res, path).catch((e: unknown) => {
      logger.error({ err: e, path }, 'serving a file failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (pathOf(req) !== GRAPHQL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    proxy.upgrade(req, socket, head);
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new ListenError(options.host, options.port, e)));
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  if (!existsSync(index)) {
    logger.warn(
      { staticDir: options.staticDir },
      'no built frontend yet: pnpm --filter @open-bank/frontend build',
    );
  }

  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      proxy.close();
      server.closeIdleConnections();
      // Open event streams would keep close() waiting; after a moment they are cut.
      const timer = setTimeout(() => server.closeAllConnections(), 2_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
