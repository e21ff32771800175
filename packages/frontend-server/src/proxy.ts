import { Agent, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '@open-bank/runtime';
import { endToEnd, forwardedRequestHeaders, rawResponseHead, upgradeRequestHeaders } from './headers.ts';

export interface Upstream {
  readonly url: URL;
  /** The upstream's path prefix without a trailing slash ('' for none). */
  readonly basePath: string;
}

export function upstreamOf(baseUrl: string): Upstream {
  const url = new URL(baseUrl);
  return { url, basePath: url.pathname.replace(/\/+$/, '') };
}

const UNREACHABLE_BODY = JSON.stringify({
  errors: [{ message: 'the GraphQL endpoint is unreachable', extensions: { code: 'UPSTREAM_UNREACHABLE' } }],
});

/**
 * Passes /graphql through to the GraphQL endpoint, as nginx does in the Docker setup: requests (including
 * server-sent event streams) and WebSocket upgrades, byte for byte after the handshake.
 */
export class GraphqlProxy {
  private readonly agent: Agent;
  private readonly send: typeof request;
  /** Open WebSocket tunnels, ended on close(). */
  private readonly tunnels = new Set<Socket>();

  constructor(
    private readonly upstream: Upstream,
    private readonly logger: Logger,
  ) {
    const https = upstream.url.protocol === 'https:';
    this.agent = https ? new HttpsAgent({ keepAlive: true }) : new Agent({ keepAlive: true });
    this.send = https ? httpsRequest : request;
  }

  private target(req: IncomingMessage) {
    const { url, basePath } = this.upstream;
    return {
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      method: req.method ?? 'GET',
      path: `${basePath}${req.url ?? '/'}`,
    };
  }

  private client(req: IncomingMessage) {
    return {
      remoteAddress: req.socket.remoteAddress,
      encrypted: Boolean((req.socket as Partial<TLSSocket>).encrypted),
    };
  }

  http(req: IncomingMessage, res: ServerResponse): void {
    const out = this.send(
      {
        ...this.target(req),
        agent: this.agent,
        headers: forwardedRequestHeaders(req.headers, this.client(req)),
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEnd(up.headers));
        // Server-sent events must reach the browser as they come, not when a buffer fills.
        if (String(up.headers['content-type']).startsWith('text/event-stream')) res.flushHeaders();
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    out.on('error', (e) => {
      this.logger.warn({ err: e.message, path: req.url }, 'GraphQL endpoint unreachable');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(UNREACHABLE_BODY),
      });
      res.end(UNREACHABLE_BODY);
    });
    // A browser that leaves (e.g. closes an event stream) ends the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  }

  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const out = this.send({
      ...this.target(req),
      agent: false,
      headers: upgradeRequestHeaders(req.headers, this.client(req)),
    });
    out.on('upgrade', (upRes: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      upSocket.setTimeout(0);
      upSocket.setNoDelay(true);
      upSocket.setKeepAlive(true, 30_000);
      if (socket.destroyed) {
        upSocket.destroy();
        return;
      }
      socket.write(
        rawResponseHead(
          upRes.statusCode ?? 101,
          upRes.statusMessage ?? 'Switching Protocols',
          upRes.rawHeaders,
        ),
      );
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      this.tunnels.add(socket);
      const close = () => {
        this.tunnels.delete(socket);
        socket.destroy();
        upSocket.destroy();
      };
      socket.on('error', close).on('close', close);
      upSocket.on('error', close).on('close', close);
      upSocket.pipe(socket);
      socket.pipe(upSocket);
    });
    // The endpoint refused the handshake (e.g. 400): its answer goes back as it is.
    out.on('response', (upRes: IncomingMessage) => {
      // Node has already decoded a chunked body, so the answer goes out unchunked and ends with the connection.
      const kept: string[] = [];
      for (let i = 0; i + 1 < upRes.rawHeaders.length; i += 2) {
        const name = upRes.rawHeaders[i] ?? '';
        if (!['transfer-encoding', 'connection', 'keep-alive'].includes(name.toLowerCase())) {
          kept.push(name, upRes.rawHeaders[i + 1] ?? '');
        }
      }
      socket.write(
        rawResponseHead(upRes.statusCode ?? 502, upRes.statusMessage ?? '', [...kept, 'connection', 'close']),
      );
      upRes.pipe(socket);
    });
    out.on('error', (e) => {
      this.logger.warn({ err: e.message }, 'GraphQL endpoint unreachable for a WebSocket');
      if (socket.writable) {
        const body = 'the GraphQL endpoint is unreachable\n';
        socket.end(
          rawResponseHead(502, 'Bad Gateway', [
            'content-type',
            'text/plain',
            'content-length',
            String(Buffer.byteLength(body)),
            'connection',
            'close',
          ]) + body,
        );
      }
    });
    socket.on('error', () => out.destroy());
    out.end();
  }

  /** Ends open WebSocket tunnels and idle upstream connections. */
  close(): void {
    for (const s of this.tunnels) s.destroy();
    this.tunnels.clear();
    this.agent.destroy();
  }
}
