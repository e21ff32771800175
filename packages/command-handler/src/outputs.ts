import { TRACE_HEADER } from '@open-bank/contract';
import type { Outgoing } from '@open-bank/runtime';
import type { BalanceChanged, Codec } from '@open-bank/topology';
import type { AccountReply, TransferReply } from './plan.ts';

/** The topics the command handler writes; their schemas are looked up once at start. */
export const OUTPUT_TOPICS = [
  'accountCreationConfirmed',
  'accountCreationFailed',
  'moneyTransferConfirmed',
  'moneyTransferFailed',
  'balanceChanged',
] as const;

export type Encoder = Pick<Codec, 'record'>;

type TraceOf = (i: number) => string | undefined;
const none: TraceOf = () => undefined;

function headersOf(trace: string | undefined): Record<string, string> | undefined {
  return trace === undefined ? undefined : { [TRACE_HEADER]: trace };
}

/** Encodes replies synchronously: keys by the topology's rules, values in the wire format (Codec.record). */
export class OutputEncoder {
  constructor(
    private readonly codec: Encoder,
    private readonly now: () => Date,
  ) {}

  transfers(replies: readonly TransferReply[], traceOf: TraceOf = none): Outgoing[] {
    const now = this.now();
    const out: Outgoing[] = [];
    for (const [i, r] of replies.entries()) {
      const headers = headersOf(traceOf(i));
      if (r.reason === null) {
        const value = { id: r.id };
        out.push({ ...this.codec.record('moneyTransferConfirmed', value, now), headers });
      } else {
        const value = { id: r.id, reason: r.reason };
        out.push({ ...this.codec.record('moneyTransferFailed', value, now), headers });
      }
      for (const e of r.events) out.push(this.balanceChanged(e, now, headers));
    }
    return out;
  }

  balanceChanged(e: BalanceChanged, now = this.now(), headers?: Record<string, string>): Outgoing {
    return { ...this.codec.record('balanceChanged', e, now), headers };
  }

  accounts(replies: readonly AccountReply[], traceOf: TraceOf = none): Outgoing[] {
    const now = this.now();
    return replies.map(({ id, answer }, i) => {
      const headers = headersOf(traceOf(i));
      if (answer.ok) {
        const value = { id, iban: answer.iban, token: answer.token, a_type: answer.a_type };
        return { ...this.codec.record('accountCreationConfirmed', value, now), headers };
      }
      const value = { id, reason: answer.reason };
      return { ...this.codec.record('accountCreationFailed', value, now), headers };
    });
  }
}
