import type { DocumentNode, OperationDefinitionNode } from 'graphql';

/** Limits per client address and per WebSocket (README: Security). */
export interface ConnectionLimits {
  readonly socketsPerClient: number;
  readonly subscriptionsPerSocket: number;
  readonly pendingPerSocket: number;
  readonly idleTimeoutMs: number;
  readonly initTimeoutMs: number;
}

/** The defaults of the WS_* variables. */
export const DEFAULT_LIMITS: ConnectionLimits = {
  socketsPerClient: 32,
  subscriptionsPerSocket: 20,
  pendingPerSocket: 20,
  idleTimeoutMs: 120_000,
  initTimeoutMs: 10_000,
};

/** Close codes of the endpoint's own refusals (graphql-ws uses 4408 for a missing connection_init). */
export const CloseCodes = {
  /** RFC 6455 "Try Again Later": too many sockets from one address. */
  tooManySockets: 1013,
  /** Nothing received (not even a ping) for the idle time-out. */
  idle: 4000,
} as const;

/** Subscription fields that answer once: they count as pending one-shot operations, not subscriptions. */
export const ONE_SHOT_FIELDS: ReadonlySet<string> = new Set(['get_account', 'money_transfer']);

/**
 * What an operation holds while it runs: a subscription (every subscription field except the one-shot ones,
 * so fields added later count by default) or a one-shot operation (queries, mutations, get_account,
 * money_transfer).
 */
export function operationKind(
  document: DocumentNode,
  operationName?: string | null,
): 'subscription' | 'one-shot' {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  );
  const op = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (op?.operation !== 'subscription') return 'one-shot';
  const streaming = op.selectionSet.selections.some(
    (s) => s.kind !== 'Field' || !ONE_SHOT_FIELDS.has(s.name.value),
  );
  return streaming ? 'subscription' : 'one-shot';
}

/** Counts per key (e.g. open sockets per client address), dropping keys that reach zero. */
export class CountPerKey {
  private readonly counts = new Map<string, number>();

  /** Adds one unless the key already has `max`. */
  tryAdd(key: string, max: number): boolean {
    const n = this.counts.get(key) ?? 0;
    if (n >= max) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  remove(key: string): void {
    const n = this.counts.get(key) ?? 0;
    if (n <= 1) this.counts.delete(key);
    else this.counts.set(key, n - 1);
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Keys with a count above zero. */
  get size(): number {
    return this.counts.size;
  }
}

export type Admission =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly reason: string };

/**
 * The running operations of one WebSocket (or, for server-sent events, of one client address): at most
 * so many subscriptions and so many pending one-shot operations. `release` may be called more than once.
 */
export class OperationBudget {
  private subscriptions = 0;
  private pending = 0;

  constructor(
    private readonly limits: Pick<ConnectionLimits, 'subscriptionsPerSocket' | 'pendingPerSocket'>,
    private readonly where = 'this connection',
  ) {}

  admit(kind: 'subscription' | 'one-shot'): Admission {
    if (kind === 'subscription') {
      if (this.subscriptions >= this.limits.subscriptionsPerSocket) {
        return {
          ok: false,
          reason: `too many subscriptions on ${this.where} (at most ${this.limits.subscriptionsPerSocket})`,
        };
      }
      this.subscriptions += 1;
    } else {
      if (this.pending >= this.limits.pendingPerSocket) {
        return {
          ok: false,
          reason: `too many pending operations on ${this.where} (at most ${this.limits.pendingPerSocket})`,
        };
      }
      this.pending += 1;
    }
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        if (kind === 'subscription') this.subscriptions -= 1;
        else this.pending -= 1;
      },
    };
  }

  get open(): { subscriptions: number; pending: number } {
    return { subscriptions: this.subscriptions, pending: this.pending };
  }

  get empty(): boolean {
    return this.subscriptions === 0 && this.pending === 0;
  }
}

/**
 * The same async iterator, calling `release` once when it ends however it ends: done, returned (client left),
 * or failed.
 */
export function releasingIterator<T>(
  source: AsyncIterable<T>,
  release: () => void,
): AsyncIterableIterator<T> {
  const it = source[Symbol.asyncIterator]();
  let released = false;
  const done = (): void => {
    if (released) return;
    released = true;
    release();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      try {
        const r = await it.next();
        if (r.done) done();
        return r;
      } catch (e) {
        done();
        throw e;
      }
    },
    async return(value?: unknown) {
      done();
      return (await it.return?.(value)) ?? { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      done();
      if (it.throw) return it.throw(error);
      throw error;
    },
  };
}
