import { TRACE_HEADER } from '@open-bank/contract';
import { type Codec, uuidToBytes } from '@open-bank/topology';
import type { CommandEncoder } from './bank.ts';

/** The endpoint's commands as Kafka records, each carrying its trace from the request's arrival. */
export function commandEncoder(codec: Pick<Codec, 'record'>, clock: () => Date): CommandEncoder {
  const trace = (receivedAt: number) => ({ [TRACE_HEADER]: String(receivedAt) });
  return {
    confirmAccountCreation: (id, receivedAt) => ({
      ...codec.record('confirmAccountCreation', { id: uuidToBytes(id), a_type: 'MANUAL' }, clock()),
      headers: trace(receivedAt),
    }),
    confirmMoneyTransfer: (r, receivedAt) => ({
      ...codec.record(
        'confirmMoneyTransfer',
        {
          id: uuidToBytes(r.uuid),
          token: r.token,
          amount: r.amount,
          from: r.from,
          to: r.to,
          description: r.description,
        },
        clock(),
      ),
      headers: trace(receivedAt),
    }),
  };
}
