// Helpers for this package's int tests: GraphQL over HTTP and over WebSocket, as a browser would use them.

import { type Topology, topicIds } from '@open-bank/topology';
import { createScratchTopics } from '@open-bank/topology/testing';
import { type Client, createClient } from 'graphql-ws';
import type { Kafka } from 'kafkajs';
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
    signal: AbortSignal.timeout(20_000),
  });
  return (await res.json()) as GqlResult<T>;
}

/**
 * One connection, opened at once and kept until `dispose()`. (A lazy client closes its socket whenever its
 * last operation ends; an operation started during that close can end up on the dying socket and hang.)
 */
export function wsClient(baseUrl: string): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
  });
}

/**
 * The first result of an operation over WebSocket (a one-shot subscription's only one). The operation is
 * left to complete by itself: disposing it from inside `next` makes graphql-ws 6's client count the
 * release twice when the server's `complete` arrives in the same read, and then close a socket other
 * operations still use.
 */
export function firstResult<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<GqlResult<T>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          settled = true;
          clearTimeout(timer);
          resolve(value as GqlResult<T>);
        },
        error: (error) => {
          settled = true;
          clearTimeout(timer);
          // graphql-ws reports GraphQL errors of a refused operation as an array.
          if (Array.isArray(error)) resolve({ errors: error as GqlResult['errors'] });
          else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {
          clearTimeout(timer);
          if (!settled) reject(new Error(`completed without a result: ${query.slice(0, 80)}`));
        },
      },
    );
    const timer = setTimeout(() => {
      reject(new Error(`no result within ${timeoutMs} ms for ${query.slice(0, 80)}`));
      dispose();
    }, timeoutMs);
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

/**
 * Topics of its own for one test run, named `_test_<prefix>_<topic>` (with dead-letter topics) and
 * registered in the schema registry, so a run neither sees nor disturbs other runs on the shared test
 * stack. Returns the topology and the KAFKA_<ABBREV>_TOPIC variables that point a service at it.
 */
export async function scratchTopology(
  kafka: Kafka,
  registryUrl: string,
  prefix: string,
): Promise<{ topology: Topology; env: Record<string, string>; remove: () => Promise<void> }> {
  const scratch = await createScratchTopics(kafka, registryUrl, `_test_${prefix}`, topicIds);
  return { topology: scratch.topology, env: scratch.topicEnv, remove: scratch.drop };
}

/** Sum of the end offsets of a topic's partitions: unchanged means nothing was produced to it. */
export async function endOffsets(kafka: Kafka, topics: readonly string[]): Promise<Record<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: Record<string, string> = {};
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      out[topic] = offsets.map((o) => `${o.partition}:${o.high}`).join(',');
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}
