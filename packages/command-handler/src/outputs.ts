import { TRACE_HEADER } from '@open-bank/contract';
import type { Outgoing } from '@open-bank/runtime';
import type { BalanceChanged, Codec, Topology } from '@open-bank/topology';
import { keyFor } from '@open-bank/topology';
import type { AccountReply, TransferReply } from './plan.ts';

/** The topics the command handler writes; their schemas are looked up once at start. */
export const OUTPUT_TOPICS = [
  'accountCreationConfirmed',
  'accountCreationFailed',
  'moneyTransferConfirmed',
  'moneyTransferFailed',
  'balanceChanged',
] as const;

export type Encoder = Pick<Codec, 'encode'>;

type TraceOf = (i: number) => string | undefined;
const none: TraceOf = () => undefined;

function headersOf(trace: string | undefined): Record<string, string> | undefined {
  return trace === undefined ? undefined : { [TRACE_HEADER]: trace };
}

/** Encodes replies synchronously: keys by the topology's rules, values in the wire format. */
export class OutputEncoder {
  constructor(
    private readonly codec: Encoder,
    private readonly topology: Topology,
    private readonly now: () => Date,
  ) {}

  transfers(replies: readonly TransferReply[], traceOf: TraceOf = none): Outgoing[] {
    const t = this.topology;
    const now = this.now();
    const out: Outgoing[] = [];
    for (const [i, r] of replies.entries()) {
      const headers = headersOf(traceOf(i));
      if (r.reason === null) {
        const value = { id: r.id };
        out.push({
          topic: t.moneyTransferConfirmed.name,
          key: keyFor(t.moneyTransferConfirmed, value, now),
          value: this.codec.encode('moneyTransferConfirmed', value),
          headers,
        });
      } else {
        const value = { id: r.id, reason: r.reason };
        out.push({
          topic: t.moneyTransferFailed.name,
          key: keyFor(t.moneyTransferFailed, value, now),
          value: this.codec.encode('moneyTransferFailed', value),
          headers,
        });
      }
      for (const e of r.events) out.push(this.balanceChanged(e, now, headers));
    }
    return out;
  }

  balanceChanged(e: BalanceChanged, now = this.now(), headers?: Record<string, string>): Outgoing {
    const t = this.topology.balanceChanged;
    return { topic: t.name, key: keyFor(t, e, now), value: this.codec.encode('balanceChanged', e), headers };
  }

  accounts(replies: readonly AccountReply[], traceOf: TraceOf = none): Outgoing[] {
    const t = this.topology;
    const now = this.now();
    return replies.map(({ id, answer }, i) => {
      const headers = headersOf(traceOf(i));
      if (answer.ok) {
        const value = { id, iban: answer.iban, token: answer.token, a_type: answer.a_type };
        return {
          topic: t.accountCreationConfirmed.name,
          key: keyFor(t.accountCreationConfirmed, value, now),
          value: this.codec.encode('accountCreationConfirmed', value),
          headers,
        };
      }
      const value = { id, reason: answer.reason };
      return {
        topic: t.accountCreationFailed.name,
        key: keyFor(t.accountCreationFailed, value, now),
        value: this.codec.encode('accountCreationFailed', value),
        headers,
      };
    });
  }
}
