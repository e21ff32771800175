import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { Health } from '@open-bank/runtime';
import { noteServing, opsRoutes, sendJson } from '@open-bank/runtime';
import type {
  DefinitionNode,
  DocumentNode,
  ExecutionArgs,
  GraphQLError,
  GraphQLSchema,
  SelectionNode,
  ValidationContext,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError, createYoga, type Plugin, type YogaLogger } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  CloseCodes,
  type ConnectionLimits,
  CountPerKey,
  OperationBudget,
  operationKind,
  releasingIterator,
} from './connection-limits.ts';
import { ASSET_PARAM, type Graphiql } from './graphiql.ts';
import type { RefusalReason } from './metrics.ts';
import { clientAddress, type Network, originAllowed } from './origins.ts';

export const GRAPHQL_PATH = '/graphql';

/** Query limits, the same on HTTP and WebSocket: the bank's own operations stay far below them. */
export const QueryLimits = {
  maxDepth: 6,
  maxAliases: 10,
  maxTokens: 1000,
  maxRequestBytes: 64 * 1024,
} as const;

/** What the public edge accepts: origins, whose X-Forwarded-For counts, introspection and the limits. */
export interface EdgeSecurity {
  readonly allowedOrigins: readonly string[];
  readonly trustedProxies: readonly Network[];
  readonly introspection: boolean;
  readonly limits: ConnectionLimits;
}

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly health: () => Health;
  readonly security: EdgeSecurity;
  readonly onSocketCountChange?: (open: number) => void;
  /** GraphiQL at GET /graphql for browsers (Accept: text/html), when turned on. */
  readonly graphiql?: Graphiql;
  readonly onRefused?: (reason: RefusalReason) => void;
}

/** What every operation's context carries besides yoga's own. */
export interface EdgeContext {
  /** The client's address (X-Forwarded-For from a trusted proxy), for per-client limits. */
  readonly client: string;
  /** The running operations of the WebSocket the operation came on (absent over HTTP). */
  readonly socketBudget?: OperationBudget;
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

/**
 * Refuses __schema and __type (introspection); __typename stays, clients need it. graphql's own
 * NoSchemaIntrospectionCustomRule would do, but its errors come from the other copy of graphql (ESM and
 * CJS) and so are masked; this one reports errors made by yoga's helper.
 */
export function noIntrospection(): Plugin {
  const rule = (context: ValidationContext) => ({
    Field(node: { name: { value: string } }) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        context.reportError(
          createGraphQLError(
            `introspection is turned off here (${node.name.value}); the schema is in the repository`,
            {
              extensions: { code: 'INTROSPECTION_DISABLED' },
            },
          ) as GraphQLError,
        );
      }
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule as never);
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Holds every operation to a budget while it runs: over WebSocket the socket's (subscriptions and one-shot
 * operations), over HTTP the client address's for subscriptions as server-sent events. A refused operation
 * gets an error saying why; the socket stays open for the others.
 */
export function operationLimits(
  sseBudget: (client: string) => { budget: OperationBudget; done: () => void },
  onRefused: (reason: RefusalReason, client: string, why: string) => void,
): Plugin {
  const admit = (context: EdgeContext, document: DocumentNode, operationName: string | null | undefined) => {
    const kind = operationKind(document, operationName);
    const socket = context.socketBudget;
    if (socket) return { kind, admission: socket.admit(kind) };
    const { budget, done } = sseBudget(context.client);
    const admission = budget.admit(kind);
    if (!admission.ok) {
      done();
      return { kind, admission };
    }
    return {
      kind,
      admission: {
        ok: true as const,
        release: () => {
          admission.release();
          done();
        },
      },
    };
  };
  const refusal = (reason: string) => ({
    errors: [createGraphQLError(reason, { extensions: { code: 'TOO_MANY_OPERATIONS' } })],
  });
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue as unknown as EdgeContext;
      const { kind, admission } = admit(context, args.document, args.operationName);
      if (!admission.ok) {
        onRefused(kind === 'subscription' ? 'subscriptions' : 'pending', context.client, admission.reason);
        setResultAndStopExecution(refusal(admission.reason));
        return;
      }
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(releasingIterator(result, admission.release) as never);
          else admission.release();
        },
      };
    },
    onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as unknown as EdgeContext;
      // Queries over HTTP are plain requests: only the WebSocket holds them as pending operations.
      if (!context.socketBudget) return;
      const { admission } = admit(context, args.document, args.operationName);
      if (!admission.ok) {
        onRefused('pending', context.client, admission.reason);
        setResultAndStopExecution(refusal(admission.reason));
        return;
      }
      return { onExecuteDone: () => admission.release() };
    },
  };
}

export interface BankYogaOptions {
  readonly security: EdgeSecurity;
  readonly onRefused?: (reason: RefusalReason, client: string, why: string) => void;
}

/** GraphQL over HTTP with the query limits; its envelop serves the WebSocket path too. */
export function createBankYoga(schema: GraphQLSchema, logger: Logger, options: BankYogaOptions) {
  const { security } = options;
  const onRefused = options.onRefused ?? (() => {});
  const sse = new Map<string, OperationBudget>();
  const sseBudget = (client: string) => {
    let budget = sse.get(client);
    if (!budget) {
      budget = new OperationBudget(security.limits, 'server-sent events from your address');
      sse.set(client, budget);
    }
    const b = budget;
    return { budget: b, done: () => b.empty && sse.delete(client) };
  };
  return createYoga<{ req?: IncomingMessage; client?: string }, EdgeContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: false,
    landingPage: false,
    maxRequestBodySize: QueryLimits.maxRequestBytes,
    logging: yogaLogger(logger),
    // Only the listed foreign origins get CORS headers, never with credentials; the same origin needs
    // none, and every other origin was refused before yoga saw the request.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (origin === null || !security.allowedOrigins.includes(origin)) return false;
      return {
        origin,
        credentials: false,
        methods: ['GET', 'POST'],
        allowedHeaders: ['content-type', 'accept'],
        maxAge: 600,
      };
    },
    context: (initial) => ({
      client:
        initial.client ??
        clientAddress(
          initial.req?.socket.remoteAddress,
          initial.req?.headers['x-forwarded-for'],
          security.trustedProxies,
        ),
    }),
    plugins: [
      maxTokensPlugin({ n: QueryLimits.maxTokens }),
      // Introspection too: nested __schema selections grow exponentially, and the SDL is exported anyway.
      maxDepthPlugin({ n: QueryLimits.maxDepth, ignoreIntrospection: false }),
      maxAliasesPlugin({ n: QueryLimits.maxAliases }),
      noSecretsInUrls(),
      ...(security.introspection ? [] : [noIntrospection()]),
      operationLimits(sseBudget, onRefused),
    ],
  });
}

interface Envelope {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

/** GraphiQL's page for a browser's GET, its assets by `?graphiql=`; false: not for GraphiQL, yoga answers. */
async function serveGraphiql(
  graphiql: Graphiql,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const name = url.searchParams.get(ASSET_PARAM);
  if (name !== null) {
    const asset = await graphiql.asset(name);
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
  const { logger, security } = options;
  const { limits } = security;
  const refused = (reason: RefusalReason, client: string, why: string) => {
    options.onRefused?.(reason);
    logger.warn({ client, reason }, `refused: ${why}`);
  };
  const yoga = createBankYoga(options.schema, logger, { security, onRefused: refused });
  const ops = opsRoutes(options);
  const clientOf = (req: IncomingMessage) =>
    clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], security.trustedProxies);
  /** A browser page of another site: refused with 403 and a log line. */
  const foreign = (req: IncomingMessage): string | undefined => {
    const origin = req.headers.origin;
    if (originAllowed(origin, req.headers.host, security.allowedOrigins)) return undefined;
    refused('origin', clientOf(req), `origin ${origin} is not allowed`);
    return origin;
  };

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
      if (await serveGraphiql(options.graphiql, req, res, url)) return;
    }
    if (path === GRAPHQL_PATH) {
      const origin = foreign(req);
      if (origin !== undefined) {
        sendJson(res, 403, {
          errors: [{ message: `origin ${origin} is not allowed`, extensions: { code: 'FORBIDDEN_ORIGIN' } }],
        });
        return;
      }
      await yoga.handle(req, res);
      return;
    }
    if (await ops(req, res)) return;
    sendJson(res, 404, { error: `no route ${req.method} ${path}` });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: QueryLimits.maxRequestBytes });
  const socketsPerClient = new CountPerKey();
  const sockets = new WeakMap<WebSocket, EdgeContext & { socketBudget: OperationBudget }>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== GRAPHQL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    const origin = foreign(req);
    if (origin !== undefined) {
      const body = `origin ${origin} is not allowed\n`;
      socket.end(
        `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    const client = clientOf(req);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Refused after the handshake, so that a browser sees why: a refused handshake shows it nothing.
      if (!socketsPerClient.tryAdd(client, limits.socketsPerClient)) {
        const why = `too many WebSockets from your address (at most ${limits.socketsPerClient})`;
        refused('sockets', client, why);
        ws.close(CloseCodes.tooManySockets, why);
        return;
      }
      ws.once('close', () => socketsPerClient.remove(client));
      const idle = setTimeout(() => {
        refused('idle', client, `a WebSocket sent nothing for ${limits.idleTimeoutMs} ms`);
        ws.close(CloseCodes.idle, `idle for ${Math.round(limits.idleTimeoutMs / 1000)} s`);
      }, limits.idleTimeoutMs);
      ws.on('message', () => idle.refresh());
      ws.once('close', () => clearTimeout(idle));
      sockets.set(ws, { client, socketBudget: new OperationBudget(limits, 'this WebSocket') });
      wss.emit('connection', ws, req);
    });
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
      connectionInitWaitTimeout: limits.initTimeoutMs,
      onSubscribe: async (ctx, _id, payload) => {
        const edge = sockets.get(ctx.extra.socket);
        if (!edge) throw new Error('a WebSocket without its edge context');
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          ...edge,
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
  // The endpoint's start ends here (its port opens once Kafka, the database and the registry are ready).
  noteServing();
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
