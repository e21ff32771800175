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

/** Encodes replies synchronously: keys by the topology's rules, values in the wire format. */
export class OutputEncoder {
  constructor(
    private readonly codec: Encoder,
    private readonly topology: Topology,
    private readonly now: () => Date,
  ) {}

  transfers(replies: readonly TransferReply[]): Outgoing[] {
    const t = this.topology;
    const now = this.now();
    const out: Outgoing[] = [];
    for (const r of replies) {
      if (r.reason === null) {
        const value = { id: r.id };
        out.push({
          topic: t.moneyTransferConfirmed.name,
          key: keyFor(t.moneyTransferConfirmed, value, now),
          value: this.codec.encode('moneyTransferConfirmed', value),
        });
      } else {
        const value = { id: r.id, reason: r.reason };
        out.push({
          topic: t.moneyTransferFailed.name,
          key: keyFor(t.moneyTransferFailed, value, now),
          value: this.codec.encode('moneyTransferFailed', value),
        });
      }
      for (const e of r.events) out.push(this.balanceChanged(e, now));
    }
    return out;
  }

  balanceChanged(e: BalanceChanged, now = this.now()): Outgoing {
    const t = this.topology.balanceChanged;
    return { topic: t.name, key: keyFor(t, e, now), value: this.codec.encode('balanceChanged', e) };
  }

  accounts(replies: readonly AccountReply[]): Outgoing[] {
    const t = this.topology;
    const now = this.now();
    return replies.map(({ id, answer }) => {
      if (answer.ok) {
        const value = { id, iban: answer.iban, token: answer.token, a_type: answer.a_type };
        return {
          topic: t.accountCreationConfirmed.name,
          key: keyFor(t.accountCreationConfirmed, value, now),
          value: this.codec.encode('accountCreationConfirmed', value),
        };
      }
      const value = { id, reason: answer.reason };
      return {
        topic: t.accountCreationFailed.name,
        key: keyFor(t.accountCreationFailed, value, now),
        value: this.codec.encode('accountCreationFailed', value),
      };
    });
  }
}
