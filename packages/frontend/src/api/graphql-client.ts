import { type Client, createClient } from 'graphql-ws';
import { BankClientError, GraphqlRequestError, TimeoutError, UnreachableError } from '../errors.ts';
import {
  type ConnectionEvent,
  type ConnectionState,
  connectionReducer,
  INITIAL_CONNECTION,
  retryDelayMs,
} from '../lib/connection.ts';
import { PageTimings } from '../lib/page-timing.ts';

export type Variables = Readonly<Record<string, unknown>>;

interface FormattedError {
  readonly message: string;
  readonly extensions?: { readonly code?: unknown; readonly argument?: unknown };
}

interface ExecutionResult {
  readonly data?: unknown;
  readonly errors?: readonly FormattedError[];
}

export interface StreamHandlers<T> {
  next(data: T): void;
  error(error: BankClientError): void;
}

/** The connection state as a store React can read with useSyncExternalStore. */
export interface ConnectionStore {
  get(): ConnectionState;
  subscribe(listener: () => void): () => void;
}

/**
 * The app's only way to the bank: queries as HTTP POST, subscriptions (including the one-answer
 * `get_account` and `money_transfer`) over one graphql-ws WebSocket that reconnects forever with backoff.
 */
export interface BankClient {
  query<T>(query: string, variables?: Variables): Promise<T>;
  /**
   * The first result of a subscription, e.g. the answer to a command. `onSent` is called with the time
   * (`performance.now()`) the subscription left on the WebSocket.
   */
  once<T>(query: string, variables: Variables, options?: OnceOptions): Promise<T>;
  /** Every result of a subscription until the returned function is called; resumed after a reconnect. */
  stream<T>(query: string, variables: Variables, handlers: StreamHandlers<T>): () => void;
  readonly connection: ConnectionStore;
  /** The page's own timing of interactions, which the page exposes for the benchmark. */
  readonly timings: PageTimings;
  /** Called after the WebSocket came back: live lists refetch what they may have missed. */
  onReconnect(listener: () => void): () => void;
  dispose(): void;
}

export interface OnceOptions {
  readonly timeoutMs?: number;
  readonly onSent?: (at: number) => void;
}

/** graphql-ws serialises a subscribe message as {"id":…,"type":"subscribe",…}, in this order. */
const SUBSCRIBE_ID = /^\{"id":"([^"]+)","type":"subscribe"/;

/** How long a ping may go unanswered before the socket counts as dead (e.g. after a laptop slept). */
const PONG_TIMEOUT_MS = 5_000;
const KEEP_ALIVE_MS = 10_000;
const DEFAULT_ANSWER_TIMEOUT_MS = 20_000;

function resultError(errors: readonly FormattedError[]): GraphqlRequestError {
  const first = errors[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : undefined;
  const argument = typeof first?.extensions?.argument === 'string' ? first.extensions.argument : undefined;
  return new GraphqlRequestError(first?.message ?? 'The bank refused the request', code, argument);
}

/** graphql-ws hands a refused operation's errors over as an array, a lost socket as a close event. */
function sinkError(error: unknown): BankClientError {
  if (Array.isArray(error)) return resultError(error as FormattedError[]);
  if (error instanceof BankClientError) return error;
  return new UnreachableError(error);
}

export function createBankClient(origin: string = window.location.href): BankClient {
  const httpUrl = new URL('/graphql', origin).toString();
  const wsUrl = httpUrl.replace(/^http/, 'ws');

  let state = INITIAL_CONNECTION;
  const listeners = new Set<() => void>();
  const reconnectListeners = new Set<() => void>();
  const update = (event: ConnectionEvent) => {
    state = connectionReducer(state, event);
    for (const l of listeners) l();
  };

  // Subscriptions whose send time someone waits for, by graphql-ws's id. The socket below tells when a
  // message really left: graphql-ws sends only after its connection is acknowledged, some ticks after
  // subscribe() was called.
  const sentListeners = new Map<string, (at: number) => void>();
  class TimedWebSocket extends WebSocket {
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      super.send(data);
      if (sentListeners.size === 0 || typeof data !== 'string') return;
      const id = SUBSCRIBE_ID.exec(data)?.[1];
      const listener = id === undefined ? undefined : sentListeners.get(id);
      if (id === undefined || !listener) return;
      sentListeners.delete(id);
      listener(performance.now());
    }
  }
  let idSeq = 0;
  let lastId = '';

  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let everConnected = false;
  const ws: Client = createClient({
    url: wsUrl,
    webSocketImpl: TimedWebSocket,
    // Called synchronously by subscribe(), so once() learns the id of the subscription it just made.
    generateID: () => {
      lastId = `${++idSeq}`;
      return lastId;
    },
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Any lost connection is worth retrying: the endpoint restarts, the proxy in front of it restarts.
    shouldRetry: () => true,
    onNonLazyError: () => update({ type: 'closed' }),
    retryWait: async (retries) => {
      const delay = retryDelayMs(retries);
      update({ type: 'waiting', retries, retryAt: Date.now() + delay });
      await new Promise((resolve) => setTimeout(resolve, delay));
    },
    keepAlive: KEEP_ALIVE_MS,
    connectionAckWaitTimeout: 10_000,
    on: {
      connecting: () => update({ type: 'connecting' }),
      connected: () => {
        update({ type: 'connected' });
        if (everConnected) for (const l of reconnectListeners) l();
        everConnected = true;
      },
      closed: () => {
        clearTimeout(pongTimer);
        update({ type: 'closed' });
      },
      ping: (received) => {
        if (received) return;
        pongTimer = setTimeout(() => {
          // 4408 is not fatal to graphql-ws, so closing this way makes it reconnect.
          activeSocket?.close(4408, 'Pong timeout');
        }, PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });
  let activeSocket: WebSocket | undefined;
  ws.on('connected', (socket) => {
    activeSocket = socket as WebSocket;
  });

  return {
    async query<T>(query: string, variables: Variables = {}): Promise<T> {
      let res: Response;
      try {
        res = await fetch(httpUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
          },
          body: JSON.stringify({ query, variables }),
        });
      } catch (e) {
        throw new UnreachableError(e);
      }
      const type = res.headers.get('content-type') ?? '';
      // The server in front of the endpoint answers 502-504 while the endpoint is down; anything that is not
      // a GraphQL answer means the same to us.
      if ((res.status >= 502 && res.status <= 504) || !type.includes('json')) {
        throw new UnreachableError(new Error(`HTTP ${res.status}`));
      }
      const body = (await res.json()) as ExecutionResult;
      if (body.errors && body.errors.length > 0) throw resultError(body.errors);
      if (!res.ok || body.data == null) throw new UnreachableError(new Error(`HTTP ${res.status}`));
      return body.data as T;
    },

    once<T>(query: string, variables: Variables, options: OnceOptions = {}): Promise<T> {
      const timeoutMs = options.timeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
      if (state.status === 'unreachable') return Promise.reject(new UnreachableError());
      return new Promise<T>((resolve, reject) => {
        let settled = false;
        let id = '';
        let answer: { readonly result: ExecutionResult } | undefined;
        const settle = (f: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          sentListeners.delete(id);
          f();
        };
        const outcome = () => {
          const result = answer?.result;
          if (!result) return reject(new UnreachableError(new Error('completed without an answer')));
          if (result.errors && result.errors.length > 0) return reject(resultError(result.errors));
          resolve(result.data as T);
        };
        // The operation ends on the server's complete, never by disposing it inside `next`: graphql-ws 6.x
        // releases its connection lock twice when next and complete arrive in one read, and may then close a
        // live socket or drop a later subscribe without a word. Disposing is only for giving up (time-out).
        const timer = setTimeout(
          () =>
            settle(() => {
              dispose();
              // An answer that came without its complete is still the answer.
              if (answer) outcome();
              else reject(new TimeoutError(timeoutMs / 1000));
            }),
          timeoutMs,
        );
        const dispose = ws.subscribe<unknown>(
          { query, variables: { ...variables } },
          {
            next: (value) => {
              answer ??= { result: value as ExecutionResult };
            },
            error: (error) => settle(() => reject(sinkError(error))),
            complete: () => settle(outcome),
          },
        );
        id = lastId;
        if (options.onSent && !settled) sentListeners.set(id, options.onSent);
      });
    },

    stream<T>(query: string, variables: Variables, handlers: StreamHandlers<T>): () => void {
      return ws.subscribe<unknown>(
        { query, variables: { ...variables } },
        {
          next: (value) => {
            const result = value as ExecutionResult;
            if (result.errors && result.errors.length > 0) handlers.error(resultError(result.errors));
            else if (result.data != null) handlers.next(result.data as T);
          },
          error: (error) => handlers.error(sinkError(error)),
          complete: () => {},
        },
      );
    },

    connection: {
      get: () => state,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },

    timings: new PageTimings(),

    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },

    dispose() {
      clearTimeout(pongTimer);
      void ws.dispose();
    },
  };
}
