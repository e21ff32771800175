// Helpers for this package's int tests: GraphQL over HTTP and over WebSocket, as a browser would use them.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A query over HTTP POST. */
export async function postQuery<T = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GqlResult<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResult<T>;
}

export function wsClient(baseUrl: string): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
  });
}

/** The first result of an operation over WebSocket (a one-shot subscription's only one). */
export function firstResult<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<GqlResult<T>> {
  return new Promise((resolve, reject) => {
    let dispose = () => {};
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`no result within ${timeoutMs} ms for ${query.slice(0, 80)}`));
    }, timeoutMs);
    dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          clearTimeout(timer);
          dispose();
          resolve(value as GqlResult<T>);
        },
        error: (error) => {
          clearTimeout(timer);
          // graphql-ws reports GraphQL errors of a refused operation as an array.
          if (Array.isArray(error)) resolve({ errors: error as GqlResult['errors'] });
          else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {
          clearTimeout(timer);
        },
      },
    );
  });
}

/** A long-running subscription whose results are gathered until disposed. */
export function collect<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): { results: GqlResult<T>[]; errors: unknown[]; dispose: () => void } {
  const results: GqlResult<T>[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => results.push(value as GqlResult<T>),
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return { results, errors, dispose };
}
