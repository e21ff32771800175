import { type Hop, TRACE_HEADER } from '@open-bank/contract';

/**
 * One command's trace travels as a Kafka header of comma-separated checkpoints, µs since the epoch:
 * origin (request received or heartbeat handled), command sent, fetched by the handler, written to the
 * outbox, sent by the relay. Each service observes the hops that end in it. The clock is the wall clock at
 * µs resolution (performance.timeOrigin + performance.now()), which all processes of one machine share;
 * across machines the hops that cross them carry the clocks' offset.
 */
export const TraceCheckpoint = { origin: 0, sent: 1, fetched: 2, written: 3, relayed: 4 } as const;

export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** The checkpoints of a trace header; an absent or malformed header gives none. */
export function parseTrace(header: string | undefined): number[] {
  if (!header) return [];
  const out: number[] = [];
  for (const part of header.split(',')) {
    const n = Number(part);
    if (!Number.isSafeInteger(n) || n <= 0) return [];
    out.push(n);
  }
  return out;
}

export function extendTrace(header: string | undefined, ...checkpoints: number[]): string {
  const tail = checkpoints.join(',');
  return header ? `${header},${tail}` : tail;
}

/** Seconds from checkpoint `from` of a trace to `at` (µs), or undefined when the trace lacks it. */
export function hopSeconds(trace: readonly number[], from: number, at: number): number | undefined {
  const start = trace[from];
  if (start === undefined) return undefined;
  // Clocks of different processes may disagree by a little; a negative hop is noise, not time travel.
  return Math.max(0, at - start) / 1e6;
}

/** The part of prom-client's Histogram<'hop'> that tracing uses. */
export interface HopHistogram {
  observe(labels: { hop: Hop }, seconds: number): void;
}

export function observeHop(
  hops: HopHistogram,
  hop: Hop,
  trace: readonly number[],
  from: number,
  at: number,
): void {
  const s = hopSeconds(trace, from, at);
  if (s !== undefined) hops.observe({ hop }, s);
}

interface Traced {
  readonly headers?: Record<string, string>;
}

/**
 * Stamps the send checkpoint on the commands about to be handed to Kafka (those whose trace holds only an
 * origin) and observes command_sent; returns what to call once Kafka acknowledged them (command_acked).
 */
export function stampSent<T extends Traced>(messages: readonly T[], hops: HopHistogram): () => void {
  const sent = nowMicros();
  let stamped = 0;
  for (const m of messages) {
    const header = m.headers?.[TRACE_HEADER];
    if (header === undefined || header.includes(',')) continue;
    const trace = parseTrace(header);
    if (trace.length !== 1) continue;
    (m.headers as Record<string, string>)[TRACE_HEADER] = extendTrace(header, sent);
    observeHop(hops, 'command_sent', trace, TraceCheckpoint.origin, sent);
    stamped++;
  }
  if (stamped === 0) return () => undefined;
  return () => {
    const s = (nowMicros() - sent) / 1e6;
    for (let i = 0; i < stamped; i++) hops.observe({ hop: 'command_acked' }, s);
  };
}

/** A fresh trace for a command originating now. */
export function originHeaders(): Record<string, string> {
  return { [TRACE_HEADER]: String(nowMicros()) };
}
