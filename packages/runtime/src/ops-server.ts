import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { noteServing, startupReport } from './startup.ts';

export type HealthState = 'starting' | 'ok' | 'stopping' | 'failed';

export interface Health {
  state: HealthState;
  detail?: Record<string, unknown>;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export interface OpsServerOptions {
  host: string;
  port: number;
  metrics: Registry;
  health: () => Health;
  /** Extra routes by "METHOD /path", e.g. the heartbeat's control API. */
  routes?: Record<string, RouteHandler>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const MAX_BODY = 64 * 1024;

/**
 * GET /metrics for Prometheus and GET /health for orchestrators (200 only when ok; the body carries the
 * process's start milestones, see startup.ts), for any node:http server to mount: the returned handler
 * answers those two and resolves false for every other request, which stays the caller's.
 */
export function opsRoutes(options: {
  metrics: Registry;
  health: () => Health;
}): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if (req.method !== 'GET') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/metrics') {
      const text = await options.metrics.metrics();
      res.writeHead(200, { 'content-type': options.metrics.contentType });
      res.end(text);
      return true;
    }
    if (path === '/health') {
      const h = options.health();
      sendJson(res, h.state === 'ok' ? 200 : 503, { status: h.state, ...h.detail, startup: startupReport() });
      return true;
    }
    return false;
  };
}

/** The ops routes (see opsRoutes) plus a service's own routes. */
export async function startOpsServer(
  options: OpsServerOptions,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const ops = opsRoutes(options);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        sendJson(res, 413, { error: 'body too large' });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      void route(req, res, Buffer.concat(chunks).toString('utf8')).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
      });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    if (await ops(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = options.routes?.[`${req.method} ${path}`];
    if (handler) {
      await handler(req, res, body);
      return;
    }
    sendJson(res, 404, { error: `no route ${req.method} ${path}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  noteServing();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
