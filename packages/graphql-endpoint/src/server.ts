import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { Health } from '@open-bank/runtime';
import { sendJson } from '@open-bank/runtime';
import type {
  DefinitionNode,
  DocumentNode,
  ExecutionArgs,
  GraphQLError,
  GraphQLSchema,
  SelectionNode,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError, createYoga, type Plugin, type YogaLogger } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { ASSET_PARAM, type Graphiql } from './graphiql.ts';

export const GRAPHQL_PATH = '/graphql';

/** Query limits, the same on HTTP and WebSocket: the bank's own operations stay far below them. */
export const QueryLimits = {
  maxDepth: 6,
  maxAliases: 10,
  maxTokens: 1000,
  maxRequestBytes: 64 * 1024,
} as const;

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly health: () => Health;
  readonly onSocketCountChange?: (open: number) => void;
  /** GraphiQL at GET /graphql for browsers (Accept: text/html), when turned on. */
  readonly graphiql?: Graphiql;
}

export interface HttpServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  /** Refuses new connections, closes WebSockets (1001), then ends the rest. */
  close(): Promise<void>;
}

function yogaLogger(logger: Logger): YogaLogger {
  const child = logger.child({ component: 'yoga' });
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) child[level]({ err: first, detail: rest }, first.message);
      else child[level]({ detail: rest.length > 0 ? rest : undefined }, String(first));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Operations that carry a password or an account token. */
const SECRET_FIELDS = new Set(['get_account', 'money_transfer']);

/**
 * Refuses get_account and money_transfer in a GET request (a subscription over server-sent events may come
 * as GET): their arguments would end up in URLs, and so in browser histories and proxy logs.
 */
export function noSecretsInUrls(): Plugin {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (request?.method !== 'GET') return;
      const document = args.document as DocumentNode;
      const secret = document.definitions.some(
        (d: DefinitionNode) =>
          d.kind === 'OperationDefinition' &&
          d.selectionSet.selections.some(
            (s: SelectionNode) => s.kind === 'Field' && SECRET_FIELDS.has(s.name.value),
          ),
      );
      if (secret) {
        setResultAndStopExecution({
          errors: [
            createGraphQLError(
              'get_account and money_transfer must be sent with POST or over WebSocket, not in a URL',
              {
                extensions: { code: 'BAD_REQUEST' },
              },
            ),
          ],
        });
      }
    },
  };
}

/** GraphQL over HTTP with the query limits; its envelop serves the WebSocket path too. */
export function createBankYoga(schema: GraphQLSchema, logger: Logger) {
  return createYoga({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: false,
    landingPage: false,
    maxRequestBodySize: QueryLimits.maxRequestBytes,
    logging: yogaLogger(logger),
    plugins: [
      maxTokensPlugin({ n: QueryLimits.maxTokens }),
      // Introspection too: nested __schema selections grow exponentially, and the SDL is exported anyway.
      maxDepthPlugin({ n: QueryLimits.maxDepth, ignoreIntrospection: false }),
      maxAliasesPlugin({ n: QueryLimits.maxAliases }),
      noSecretsInUrls(),
    ],
  });
}

interface Envelope {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

/** GraphiQL's page for a browser's GET, its assets by `?graphiql=`; false: not for GraphiQL, yoga answers. */
function serveGraphiql(graphiql: Graphiql, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const name = url.searchParams.get(ASSET_PARAM);
  if (name !== null) {
    const asset = graphiql.asset(name);
    if (!asset) {
      sendJson(res, 404, { error: `no GraphiQL asset ${name}` });
      return true;
    }
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': Buffer.byteLength(asset.body),
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    });
    res.end(asset.body);
    return true;
  }
  if (url.searchParams.has('query') || !(req.headers.accept ?? '').includes('text/html')) return false;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(graphiql.page),
    'cache-control': 'no-cache',
  });
  res.end(graphiql.page);
  return true;
}

/**
 * One port for everything, as in the original: GraphQL over HTTP (queries, and subscriptions as server-sent
 * events) and over WebSocket (graphql-ws) at /graphql, plus /health and /metrics. The frontend has its own server (frontend-server, or nginx in Docker).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { logger } = options;
  const yoga = createBankYoga(options.schema, logger);

  const server = createServer((req, res) => {
    void route(req, res).catch((e: unknown) => {
      logger.error({ err: e, url: req.url }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === GRAPHQL_PATH && options.graphiql && req.method === 'GET') {
      if (serveGraphiql(options.graphiql, req, res, url)) return;
    }
    if (path === GRAPHQL_PATH) {
      await yoga.handle(req, res);
      return;
    }
    if (req.method === 'GET' && path === '/health') {
      const h = options.health();
      sendJson(res, h.state === 'ok' ? 200 : 503, { status: h.state, ...h.detail });
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      const text = await options.metrics.metrics();
      res.writeHead(200, { 'content-type': options.metrics.contentType });
      res.end(text);
      return;
    }
    sendJson(res, 404, { error: `no route ${req.method} ${path}` });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: QueryLimits.maxRequestBytes });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== GRAPHQL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws, req) => {
    const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    logger.debug({ peer, sockets: wss.clients.size }, 'websocket opened');
    options.onSocketCountChange?.(wss.clients.size);
    ws.once('close', (code, reason) => {
      logger.debug({ peer, code, reason: reason.toString(), sockets: wss.clients.size }, 'websocket closed');
      options.onSocketCountChange?.(wss.clients.size);
    });
  });

  // The WebSocket path runs through yoga's envelop too, so it gets the same parse limits, validation rules,
  // error masking and schema as HTTP (the pattern of yoga's graphql-ws docs).
  const wsServer = useServer(
    {
      execute: (args) => (args.rootValue as Envelope).execute(args) as never,
      subscribe: (args) => (args.rootValue as Envelope).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
        });
        let document: DocumentNode;
        try {
          document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
        } catch (e) {
          // Syntax errors and the limits (which throw from parse and validate): reported to the client,
          // the socket stays open. By name: graphql may be loaded twice (ESM and CJS), so instanceof can fail.
          if (e instanceof Error && e.name === 'GraphQLError') return [e as GraphQLError];
          throw e;
        }
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies Envelope,
        };
      },
    },
    wss,
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;

  return {
    server,
    port,
    url: `http://${shownHost}:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Completes every operation (ending their iterators, so subscriptions are removed) and closes
      // the sockets with 1001 Going Away.
      await wsServer.dispose();
      wss.close();
      server.closeIdleConnections();
      // Open SSE streams end when the hub closes; whatever is still open after a moment is cut.
      const timer = setTimeout(() => server.closeAllConnections(), 2_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
