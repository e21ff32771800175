import { type Batch, type Outgoing, observeHop, parseTrace, TraceCheckpoint } from '@open-bank/runtime';
import { bytesToUuid } from '@open-bank/topology';
import type { AccountAnswer, TransferAnswer } from './bank.ts';
import type { EndpointMetrics } from './metrics.ts';
import type { PendingAnswers } from './pending.ts';

export const ANSWER_TOPICS = [
  'accountCreationConfirmed',
  'accountCreationFailed',
  'moneyTransferConfirmed',
  'moneyTransferFailed',
] as const;
export type AnswerTopic = (typeof ANSWER_TOPICS)[number];

/** The answers of a batch that requests of this process wait for, with their ids as UUID strings. */
function* mine<V extends { id: Buffer }>(
  pending: PendingAnswers<unknown>,
  messages: readonly { readonly value: V }[],
): Generator<{ id: string; value: V }> {
  if (pending.size === 0) return;
  for (const m of messages) {
    const id = bytesToUuid(m.value.id);
    if (pending.has(id)) yield { id, value: m.value };
  }
}

/**
 * The answer loop's handler: hands each answer to the request of this process waiting for it. Answers
 * matter only to requests waiting here; all others pass by with a map lookup.
 */
export function answerHandler(options: {
  accounts: PendingAnswers<AccountAnswer>;
  transfers: PendingAnswers<TransferAnswer>;
  metrics: Pick<EndpointMetrics, 'hops'>;
}): (batch: Batch<AnswerTopic>) => Promise<Outgoing[]> {
  const { accounts, transfers, metrics } = options;
  return async (batch) => {
    for (const m of batch.messages)
      observeHop(metrics.hops, 'answer_consumed', parseTrace(m.trace), TraceCheckpoint.relayed, m.fetchedAt);
    switch (batch.topic) {
      case 'accountCreationConfirmed':
        for (const m of mine(accounts, batch.messages))
          accounts.resolve(m.id, { ok: true, iban: m.value.iban, token: m.value.token });
        break;
      case 'accountCreationFailed':
        for (const m of mine(accounts, batch.messages))
          accounts.resolve(m.id, { ok: false, reason: m.value.reason });
        break;
      case 'moneyTransferConfirmed':
        for (const m of mine(transfers, batch.messages))
          transfers.resolve(m.id, { success: true, reason: null });
        break;
      case 'moneyTransferFailed':
        for (const m of mine(transfers, batch.messages))
          transfers.resolve(m.id, { success: false, reason: m.value.reason });
        break;
    }
    return [];
  };
}
