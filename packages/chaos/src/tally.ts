// What the observer and the GraphQL clients saw, kept in memory and summarised per scenario. No I/O: the
// observer feeds it messages with their Kafka timestamps, the clients their finished requests.
import { TraceCheckpoint } from '@open-bank/runtime';

/** Millisecond times (epoch) of one scenario: load ran from `from` to `to`. */
export interface Window {
  readonly from: number;
  readonly to: number;
}

/** One injected fault: when it began, and when the faulty part was back (restarted, resumed, up). */
export interface Fault {
  readonly label: string;
  readonly at: number;
  readonly returnAt: number;
}

export interface BalanceEvent {
  readonly iban: string;
  readonly newBalance: bigint;
  readonly changedBy: bigint;
  readonly fromTo: string;
  readonly description: string;
}

/** A client's request, after its last attempt. */
export interface ClientRequest {
  readonly uuid: string;
  readonly startedAt: number;
  /** When the first answer came, if one did. */
  readonly answeredAt: number | undefined;
  /** The distinct answers the attempts got, e.g. `ok` or `failed: insufficient funds`. */
  readonly answers: readonly string[];
  readonly success: boolean;
  readonly attempts: number;
  /** What went wrong on the attempts that got no answer, one kind per attempt (e.g. `timeout`). */
  readonly errors: readonly string[];
}

/** The error kind of an attempt the endpoint answered with its own time-out (no answer from the bank in time). */
export const ENDPOINT_TIMEOUT = 'endpoint time-out';
/** Error kinds of attempts that waited in vain: at the client, or at the endpoint for the bank. */
export const TIMED_OUT_KINDS: readonly string[] = ['timeout', ENDPOINT_TIMEOUT];

/** Descriptions the chaos clients give their transfers, so their BalanceChanged events can be found. */
export const CLIENT_DESCRIPTION_PREFIX = 'chaos ';

interface CommandEntry {
  sentAt: number | undefined;
  sends: number;
  answers: number;
  firstAnswer: string | undefined;
  firstAnswerAt: number | undefined;
  /** The first answer's trace checkpoints (µs since the epoch; TraceCheckpoint). */
  firstAnswerTrace: readonly number[] | undefined;
  differing: boolean;
}

type EventProblem = { readonly at: number; readonly kind: 'duplicate' | 'chain'; readonly detail: string };

export interface ClientFigures {
  readonly requests: number;
  readonly answered: number;
  /** No answer after every retry, until the client gave up. */
  readonly lost: number;
  /** Of those, the ones whose command has no answer on Kafka either: lost for good, not just late. */
  readonly neverAnswered: number;
  /** Different answers to one uuid, or a balance changed more than once by one uuid. */
  readonly duplicated: number;
  /** Confirmed, yet no BalanceChanged carries its uuid. */
  readonly missingEvents: number;
  /** Requests that needed more than one attempt. */
  readonly retried: number;
  /** Requests with an attempt that timed out, at the client or as the endpoint's own time-out answer. */
  readonly timedOut: number;
  /** Failed attempts by kind. */
  readonly errors: Readonly<Record<string, number>>;
}

export interface FaultFigures extends Fault {
  /** Seconds from `returnAt` to the first answer after it; undefined if none came. */
  readonly recoverySeconds: number | undefined;
  /** Seconds from the fault to the first answer after the part was back. */
  readonly outageSeconds: number | undefined;
  /**
   * Commands of the background load (not the GraphQL clients') sent from `returnAt` until the next fault, or
   * the end of the window: none means the load's own producer stood still after this fault.
   */
  readonly backgroundSent: number;
}

export interface Figures {
  /** Commands that reached Kafka during the window. */
  readonly sent: number;
  readonly answered: number;
  readonly lost: number;
  /** Commands answered more than once with different answers. */
  readonly duplicated: number;
  /** Commands answered more often than they were sent, every answer alike. */
  readonly extraAnswers: number;
  /** BalanceChanged events that repeat the one before for their IBAN. */
  readonly duplicateEvents: number;
  /** BalanceChanged events whose new balance is not the previous one plus the change. */
  readonly chainBreaks: number;
  readonly eventProblems: readonly string[];
  readonly faults: readonly FaultFigures[];
  /** The worst recovery of the scenario's faults; undefined if one never recovered (or there was none). */
  readonly recoverySeconds: number | undefined;
  /** The longest time without any answer during the window. */
  readonly maxGapSeconds: number;
  /** The longest time a command of the window waited for its answer. */
  readonly maxLatencySeconds: number;
  /** Where that slowest answer spent its time, from its trace (undefined without one). */
  readonly slowestStages: SlowestStages | undefined;
  readonly clients: ClientFigures;
}

/**
 * Seconds of the slowest answer between the checkpoints of its trace: command written to Kafka → fetched by
 * the command handler → balancedb committed → the relay sent the answer → the answer's Kafka timestamp.
 */
export interface SlowestStages {
  readonly fetched: number;
  readonly written: number;
  readonly relayed: number;
  readonly answered: number;
}

export function slowestStages(trace: readonly number[], answeredAtMs: number): SlowestStages | undefined {
  const [sent, fetched, written, relayed] = [
    trace[TraceCheckpoint.sent],
    trace[TraceCheckpoint.fetched],
    trace[TraceCheckpoint.written],
    trace[TraceCheckpoint.relayed],
  ];
  if (sent === undefined || fetched === undefined || written === undefined || relayed === undefined)
    return undefined;
  return {
    fetched: (fetched - sent) / 1e6,
    written: (written - fetched) / 1e6,
    relayed: (relayed - written) / 1e6,
    answered: (answeredAtMs * 1000 - relayed) / 1e6,
  };
}

const EXAMPLES = 5;

export class Tally {
  private readonly commands = new Map<string, CommandEntry>();
  private readonly answerTimes: number[] = [];
  private answerTimesSorted = true;
  private readonly lastEvent = new Map<string, BalanceEvent>();
  private readonly problems: EventProblem[] = [];
  /** uuid → iban → BalanceChanged events carrying that uuid. */
  private readonly clientEvents = new Map<string, Map<string, number>>();
  private readonly requests: ClientRequest[] = [];
  private readonly clientAnswerTimes: number[] = [];
  private eventCount = 0;
  private latestAnswer: number | undefined;

  private entry(id: string): CommandEntry {
    let e = this.commands.get(id);
    if (!e) {
      e = {
        sentAt: undefined,
        sends: 0,
        answers: 0,
        firstAnswer: undefined,
        firstAnswerAt: undefined,
        firstAnswerTrace: undefined,
        differing: false,
      };
      this.commands.set(id, e);
    }
    return e;
  }

  /** A command message (by its id) written to Kafka at `at`. */
  command(id: string, at: number): void {
    const e = this.entry(id);
    e.sends++;
    if (e.sentAt === undefined || at < e.sentAt) e.sentAt = at;
  }

  /**
   * An answer to command `id`; `fingerprint` tells answers apart (the raw value); `trace`, the checkpoints
   * of its trace header, tells where a slow answer spent its time.
   */
  answer(id: string, at: number, fingerprint: string, trace?: readonly number[]): void {
    const e = this.entry(id);
    e.answers++;
    if (e.firstAnswer === undefined) e.firstAnswer = fingerprint;
    else if (e.firstAnswer !== fingerprint) e.differing = true;
    if (e.firstAnswerAt === undefined || at < e.firstAnswerAt) {
      e.firstAnswerAt = at;
      e.firstAnswerTrace = trace;
    }
    if (this.latestAnswer === undefined || at > this.latestAnswer) this.latestAnswer = at;
    const last = this.answerTimes.at(-1);
    if (last !== undefined && at < last) this.answerTimesSorted = false;
    this.answerTimes.push(at);
  }

  /** A BalanceChanged event, in its IBAN's order (one IBAN lives on one partition). */
  balanceChanged(e: BalanceEvent, at: number): void {
    this.eventCount++;
    const before = this.lastEvent.get(e.iban);
    if (before !== undefined && e.newBalance !== before.newBalance + e.changedBy) {
      const same =
        e.newBalance === before.newBalance &&
        e.changedBy === before.changedBy &&
        e.fromTo === before.fromTo &&
        e.description === before.description;
      this.problems.push({
        at,
        kind: same ? 'duplicate' : 'chain',
        detail: `${e.iban}: ${before.newBalance} + ${e.changedBy} -> ${e.newBalance} (${e.description})`,
      });
    }
    this.lastEvent.set(e.iban, e);
    if (e.description.startsWith(CLIENT_DESCRIPTION_PREFIX)) {
      const uuid = e.description.slice(CLIENT_DESCRIPTION_PREFIX.length);
      const byIban = this.clientEvents.get(uuid) ?? new Map<string, number>();
      byIban.set(e.iban, (byIban.get(e.iban) ?? 0) + 1);
      this.clientEvents.set(uuid, byIban);
    }
  }

  clientRequest(r: ClientRequest): void {
    this.requests.push(r);
  }

  /** An answer a client got, as it came (the request may still be retrying others). */
  clientAnswer(at: number): void {
    this.clientAnswerTimes.push(at);
  }

  get events(): number {
    return this.eventCount;
  }

  /** The newest answer on Kafka so far. */
  get lastAnswerAt(): number | undefined {
    return this.latestAnswer;
  }

  /** Commands sent from `from` up to `until` that have no answer yet. */
  unanswered(from: number, until: number): number {
    return this.countSent(from, until, (_, e) => e.answers === 0);
  }

  /** Commands sent from `from` up to `until` that `where` accepts. */
  private countSent(from: number, until: number, where: (id: string, e: CommandEntry) => boolean): number {
    let n = 0;
    for (const [id, e] of this.commands)
      if (e.sentAt !== undefined && e.sentAt >= from && e.sentAt <= until && where(id, e)) n++;
    return n;
  }

  /** Commands of the window and how many of them have an answer so far. */
  progress(window: Window): { sent: number; answered: number } {
    let sent = 0;
    let answered = 0;
    for (const e of this.commands.values()) {
      if (e.sentAt === undefined || e.sentAt < window.from || e.sentAt > window.to) continue;
      sent++;
      if (e.answers > 0) answered++;
    }
    return { sent, answered };
  }

  /**
   * When the bank answered again after a fault: on Kafka, the first answer after `t` to a command sent since
   * `sentFrom` (answers the faulty part had already decided before it went away, e.g. outbox rows a new relay
   * publishes at once, do not count); for clients, the first answer any of them got after `t`.
   */
  firstAnswerAfter(t: number, source: 'answers' | 'clients', sentFrom: number): number | undefined {
    let best: number | undefined;
    if (source === 'clients') {
      for (const a of this.clientAnswerTimes) if (a > t && (best === undefined || a < best)) best = a;
      return best;
    }
    for (const e of this.commands.values()) {
      const a = e.firstAnswerAt;
      if (a === undefined || e.sentAt === undefined || e.sentAt < sentFrom || a <= t) continue;
      if (best === undefined || a < best) best = a;
    }
    return best;
  }

  /** Figures of one scenario; event problems are counted from `window.from` up to `until`. */
  summarise(window: Window, faults: readonly Fault[], source: 'answers' | 'clients', until: number): Figures {
    let sent = 0;
    let answered = 0;
    let duplicated = 0;
    let extraAnswers = 0;
    let maxLatency = 0;
    let slowest: CommandEntry | undefined;
    for (const e of this.commands.values()) {
      if (e.sentAt === undefined || e.sentAt < window.from || e.sentAt > window.to) continue;
      sent++;
      if (e.answers > 0) answered++;
      if (e.differing) duplicated++;
      else if (e.answers > e.sends) extraAnswers++;
      if (e.firstAnswerAt !== undefined && e.firstAnswerAt - e.sentAt > maxLatency) {
        maxLatency = e.firstAnswerAt - e.sentAt;
        slowest = e;
      }
    }
    if (!this.answerTimesSorted) {
      this.answerTimes.sort((a, b) => a - b);
      this.answerTimesSorted = true;
    }
    const problems = this.problems.filter((p) => p.at >= window.from && p.at < until);
    const clientIds = new Set(this.requests.map((r) => r.uuid));
    const faultFigures = faults.map((f, i): FaultFigures => {
      const first = this.firstAnswerAfter(f.returnAt, source, f.at);
      const until = Math.max(f.returnAt, faults[i + 1]?.at ?? window.to);
      return {
        ...f,
        recoverySeconds: first === undefined ? undefined : (first - f.returnAt) / 1000,
        outageSeconds: first === undefined ? undefined : (first - f.at) / 1000,
        backgroundSent: this.countSent(f.returnAt, until, (id) => !clientIds.has(id)),
      };
    });
    const recoveries = faultFigures.map((f) => f.recoverySeconds);
    return {
      sent,
      answered,
      lost: sent - answered,
      duplicated,
      extraAnswers,
      duplicateEvents: problems.filter((p) => p.kind === 'duplicate').length,
      chainBreaks: problems.filter((p) => p.kind === 'chain').length,
      eventProblems: problems.slice(0, EXAMPLES).map((p) => `${p.kind}: ${p.detail}`),
      faults: faultFigures,
      recoverySeconds:
        recoveries.length === 0 || recoveries.some((r) => r === undefined)
          ? undefined
          : Math.max(...(recoveries as number[])),
      maxGapSeconds: maxGap(this.answerTimes, window) / 1000,
      maxLatencySeconds: maxLatency / 1000,
      slowestStages:
        slowest?.firstAnswerTrace && slowest.firstAnswerAt !== undefined
          ? slowestStages(slowest.firstAnswerTrace, slowest.firstAnswerAt)
          : undefined,
      clients: this.clientFigures(window),
    };
  }

  private clientFigures(window: Window): ClientFigures {
    const mine = this.requests.filter((r) => r.startedAt >= window.from && r.startedAt <= window.to);
    const errors: Record<string, number> = {};
    let duplicated = 0;
    let missingEvents = 0;
    for (const r of mine) {
      for (const kind of r.errors) errors[kind] = (errors[kind] ?? 0) + 1;
      const events = this.clientEvents.get(r.uuid);
      const twice = events !== undefined && [...events.values()].some((n) => n > 1);
      if (r.answers.length > 1 || twice) duplicated++;
      if (r.success && events === undefined) missingEvents++;
    }
    const unanswered = mine.filter((r) => r.answeredAt === undefined);
    return {
      requests: mine.length,
      answered: mine.length - unanswered.length,
      lost: unanswered.length,
      neverAnswered: unanswered.filter((r) => (this.commands.get(r.uuid)?.answers ?? 0) === 0).length,
      duplicated,
      missingEvents,
      retried: mine.filter((r) => r.attempts > 1).length,
      timedOut: mine.filter((r) => r.errors.some((k) => TIMED_OUT_KINDS.includes(k))).length,
      errors,
    };
  }
}

/** Longest stretch without an answer inside the window, its edges included; `times` sorted. */
export function maxGap(times: readonly number[], window: Window): number {
  let previous = window.from;
  let gap = 0;
  for (const t of times) {
    if (t < window.from) continue;
    if (t > window.to) break;
    gap = Math.max(gap, t - previous);
    previous = t;
  }
  return Math.max(gap, window.to - previous);
}
