// GraphQL clients doing deposits and transfers of their own over graphql-ws, as the frontend does: each
// request has its own uuid, and a request that got no answer (time-out, socket closed, endpoint gone) is
// sent again with the same uuid until it is answered or its deadline passes.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { COMPANY_IBAN } from '@open-bank/topology';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CLIENT_DESCRIPTION_PREFIX, type ClientRequest, ENDPOINT_TIMEOUT, type Tally } from './tally.ts';

const GET_ACCOUNT =
  'subscription ($u: String!, $p: String!) { get_account(username: $u, password: $p) { iban token reason } }';
const MONEY_TRANSFER =
  'subscription ($uuid: String!, $token: String!, $amount: Int!, $from: String!, $to: String!, $descr: String!) { money_transfer(uuid: $uuid, token: $token, amount: $amount, from: $from, to: $to, descr: $descr) { uuid success reason } }';

export interface ClientTimings {
  /** How long one attempt waits for its answer (the frontend waits 20 s). */
  readonly attemptMs: number;
  /** How long a request keeps retrying before it counts as lost. */
  readonly deadlineMs: number;
  readonly retryPauseMs: number;
}

const DEFAULT_TIMINGS: ClientTimings = { attemptMs: 10_000, deadlineMs: 90_000, retryPauseMs: 300 };

type Attempt<T> = { ok: true; data: T } | { ok: false; error: string };

/**
 * When a failed money_transfer answer is the GraphQL endpoint's own (packages/graphql-endpoint errors.ts:
 * AnswerTimeoutError, ShuttingDownError) rather than the command handler's, the kind it counts as; the
 * request's outcome is then unknown and it is sent again with the same uuid.
 */
export function endpointOwnAnswer(reason: string | null): string | undefined {
  if (reason === null) return undefined;
  if (reason.startsWith('no answer from the bank within')) return ENDPOINT_TIMEOUT;
  if (reason.startsWith('the service is shutting down')) return 'endpoint shutting down';
  return undefined;
}

/** Commands the endpoint answered with its own time-out, from its /metrics text (every command kind). */
export function endpointTimeouts(metrics: string): number {
  let n = 0;
  for (const line of metrics.split('\n')) {
    const m = /^open_bank_graphql_answer_seconds_count\{([^}]*)\}\s+(\S+)/.exec(line);
    if (m && /(^|,)outcome="timeout"/.test(m[1] ?? '')) n += Number(m[2]);
  }
  return n;
}

/** What an attempt's failure was, in a few words that group well. */
export function errorKind(error: unknown): string {
  if (Array.isArray(error)) {
    const first = (error[0] as { message?: string } | undefined)?.message ?? 'error';
    return `graphql: ${first.slice(0, 60)}`;
  }
  if (typeof error !== 'object' || error === null) return String(error).slice(0, 60);
  // graphql-ws hands over what the WebSocket gave: an Error, a CloseEvent (code) or an ErrorEvent (message).
  const e = error as { message?: unknown; code?: unknown; error?: unknown };
  const message =
    typeof e.message === 'string' ? e.message : e.error instanceof Error ? e.error.message : undefined;
  if (message !== undefined) {
    if (/ECONNREFUSED/.test(message)) return 'connection refused';
    if (/ECONNRESET|socket hang up/.test(message)) return 'connection reset';
    return message.slice(0, 60);
  }
  if (e.code !== undefined) return `socket closed (${String(e.code)})`;
  return 'unknown error';
}

class Connection {
  private client: Client | undefined;
  constructor(private readonly url: string) {}

  private current(): Client {
    this.client ??= createClient({
      url: this.url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      // A dead endpoint must show as an error, not a socket waiting forever.
      keepAlive: 3_000,
      onNonLazyError: () => undefined,
    });
    return this.client;
  }

  /** Drops the socket after a failure, so the next attempt connects afresh. */
  reset(): void {
    const c = this.client;
    this.client = undefined;
    // graphql-ws's dispose() awaits the connection attempt in progress and rejects with its CloseEvent when
    // that socket closes before it opened (the endpoint just killed): nothing to do about it here, but left
    // unhandled it ended the whole chaos run.
    Promise.resolve(c?.dispose()).catch(() => undefined);
  }

  once<T>(query: string, variables: Record<string, unknown>, timeoutMs: number): Promise<Attempt<T>> {
    const client = this.current();
    return new Promise((resolve) => {
      let done = false;
      const finish = (a: Attempt<T>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(a);
      };
      const dispose = client.subscribe<T>(
        { query, variables },
        {
          next: (v) => {
            if (v.errors && v.errors.length > 0) finish({ ok: false, error: errorKind(v.errors) });
            else if (v.data) finish({ ok: true, data: v.data as T });
          },
          error: (e) => finish({ ok: false, error: errorKind(e) }),
          complete: () => finish({ ok: false, error: 'completed without an answer' }),
        },
      );
      const timer = setTimeout(() => {
        finish({ ok: false, error: 'timeout' });
        dispose();
      }, timeoutMs);
    });
  }

  dispose(): void {
    this.reset();
  }
}

interface Account {
  readonly iban: string;
  readonly token: string;
}

export interface ClientCounters {
  readonly requests: number;
  readonly errors: number;
}

/** A few clients, each with an account of its own, doing one request at a time while running. */
export class BankClients {
  private readonly connections: Connection[] = [];
  private accounts: Account[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private requests = 0;
  private errors = 0;

  constructor(
    graphqlUrl: string,
    count: number,
    private readonly tally: Tally,
    private readonly timings: ClientTimings = DEFAULT_TIMINGS,
  ) {
    const url = `${graphqlUrl.replace(/^http/, 'ws')}/graphql`;
    for (let i = 0; i < count; i++) this.connections.push(new Connection(url));
  }

  get counters(): ClientCounters {
    return { requests: this.requests, errors: this.errors };
  }

  /** Opens (or logs in to) each client's account. */
  async open(runId: string): Promise<void> {
    this.accounts = await Promise.all(
      this.connections.map(async (c, i) => {
        const deadline = Date.now() + this.timings.deadlineMs;
        for (;;) {
          const a = await c.once<{
            get_account: { iban: string | null; token: string | null; reason: string | null };
          }>(GET_ACCOUNT, { u: `chaos-${runId}-${i}`, p: 'chaos-password' }, this.timings.attemptMs);
          if (a.ok && a.data.get_account.iban && a.data.get_account.token)
            return { iban: a.data.get_account.iban, token: a.data.get_account.token };
          if (Date.now() > deadline)
            throw new Error(`client ${i} got no account: ${a.ok ? a.data.get_account.reason : a.error}`);
          c.reset();
          await sleep(this.timings.retryPauseMs);
        }
      }),
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = this.connections.map((c, i) => this.loop(c, this.accounts[i] as Account));
  }

  /** Stops starting requests and waits for the ones in flight to end (answered or lost). */
  async pause(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  async close(): Promise<void> {
    await this.pause();
    for (const c of this.connections) c.dispose();
  }

  private async loop(c: Connection, account: Account): Promise<void> {
    let n = 0;
    while (this.running) {
      // Deposits and transfers alternate, so the account stays above its limit.
      const deposit = n++ % 2 === 0;
      await this.request(c, {
        token: deposit ? 'cash' : account.token,
        amount: deposit ? 1_000 : 500,
        from: deposit ? 'cash' : account.iban,
        to: deposit ? account.iban : COMPANY_IBAN,
      });
      await sleep(200 + Math.floor(Math.random() * 400));
    }
  }

  private async request(
    c: Connection,
    transfer: { token: string; amount: number; from: string; to: string },
  ): Promise<void> {
    const uuid = randomUUID();
    const startedAt = Date.now();
    const deadline = startedAt + this.timings.deadlineMs;
    const answers = new Set<string>();
    const errors: string[] = [];
    let answeredAt: number | undefined;
    let success = false;
    let attempts = 0;
    this.requests++;
    while (answeredAt === undefined && Date.now() < deadline) {
      attempts++;
      const a = await c.once<{ money_transfer: { uuid: string; success: boolean; reason: string | null } }>(
        MONEY_TRANSFER,
        { uuid, ...transfer, descr: `${CLIENT_DESCRIPTION_PREFIX}${uuid}` },
        Math.min(this.timings.attemptMs, Math.max(1, deadline - Date.now())),
      );
      const own = a.ok && !a.data.money_transfer.success && endpointOwnAnswer(a.data.money_transfer.reason);
      if (a.ok && !own) {
        answeredAt = Date.now();
        this.tally.clientAnswer(answeredAt);
        const r = a.data.money_transfer;
        success = r.success;
        answers.add(r.success ? 'ok' : `failed: ${r.reason}`);
        break;
      }
      errors.push(a.ok ? (own as string) : a.error);
      this.errors++;
      c.reset();
      await sleep(this.timings.retryPauseMs);
    }
    // Once answered, ask once more with the same uuid: the answer must be the one already given.
    if (answeredAt !== undefined && attempts > 1) {
      const again = await c.once<{
        money_transfer: { uuid: string; success: boolean; reason: string | null };
      }>(
        MONEY_TRANSFER,
        { uuid, ...transfer, descr: `${CLIENT_DESCRIPTION_PREFIX}${uuid}` },
        this.timings.attemptMs,
      );
      if (
        again.ok &&
        (again.data.money_transfer.success || !endpointOwnAnswer(again.data.money_transfer.reason))
      )
        answers.add(again.data.money_transfer.success ? 'ok' : `failed: ${again.data.money_transfer.reason}`);
    }
    const r: ClientRequest = {
      uuid,
      startedAt,
      answeredAt,
      answers: [...answers],
      success,
      attempts,
      errors,
    };
    this.tally.clientRequest(r);
  }
}
