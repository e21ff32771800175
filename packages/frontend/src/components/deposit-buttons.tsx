import { CASH } from '@open-bank/contract';
import { useState } from 'react';
import { moneyTransfer } from '../api/bank.ts';
import { useBankClient } from '../client-context.tsx';
import { describeError } from '../errors.ts';
import { useUnsettledRequests } from '../hooks/use-unsettled.ts';
import type { Account } from '../lib/account.ts';
import { formatCents } from '../lib/euro.ts';
import { DEPOSIT_EUROS, type DepositEuro, TestIds } from '../test-ids.ts';
import { type Feedback, FeedbackNote } from './feedback.tsx';

/**
 * Cash deposits: a transfer from `cash` with the token `cash`; every answered click is a deposit of its own.
 * A deposit without an answer stays pending and is sent again under its own uuid until the bank answers; a
 * click on the same amount meanwhile sends that one again rather than a second deposit.
 */
export function DepositButtons({ account }: { account: Account }) {
  const client = useBankClient();
  const [pending, setPending] = useState<ReadonlyMap<DepositEuro, number>>(new Map());
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const send = useUnsettledRequests<Awaited<ReturnType<typeof moneyTransfer>>>();

  const count = (euro: DepositEuro, delta: number) =>
    setPending((current) => new Map(current).set(euro, (current.get(euro) ?? 0) + delta));

  const deposit = async (euro: DepositEuro, clickAt: number) => {
    const timing = client.timings.begin('deposit', account.iban, clickAt);
    const amount = formatCents(euro * 100);
    count(euro, 1);
    setFeedback({ state: 'pending', text: `Depositing ${amount}…` });
    try {
      const result = await send(
        `deposit ${euro} to ${account.iban}`,
        (uuid) =>
          moneyTransfer(
            client,
            { uuid, token: CASH, amount: euro * 100, from: CASH, to: account.iban, descr: 'deposit' },
            (at) => client.timings.sent(timing, at),
          ),
        (error, retryInMs) =>
          setFeedback({
            state: 'pending',
            text: `Deposit of ${amount} not confirmed yet (${describeError(error)}); asking again in ${Math.round(retryInMs / 1000)} s…`,
          }),
      );
      client.timings.answered(timing, performance.now());
      setFeedback(
        result.success
          ? { state: 'success', text: `${amount} deposited.` }
          : { state: 'failure', text: `Deposit of ${amount} failed: ${result.reason ?? 'no reason given'}` },
      );
    } catch (error) {
      setFeedback({ state: 'failure', text: `Deposit of ${amount} failed. ${describeError(error)}` });
    } finally {
      count(euro, -1);
    }
  };

  return (
    <section className="box">
      <h2 className="title is-5 mb-2">Deposit cash</h2>
      <p className="is-size-7 has-text-grey mb-3">
        Money appears on your account the moment the bank confirms it.
      </p>
      <div className="buttons deposit-buttons">
        {DEPOSIT_EUROS.map((euro) => (
          <button
            key={euro}
            type="button"
            className={`button is-primary is-outlined ${(pending.get(euro) ?? 0) > 0 ? 'is-loading' : ''}`}
            data-testid={TestIds.deposit(euro)}
            aria-label={`deposit ${euro} euro`}
            onClick={(e) => void deposit(euro, e.timeStamp)}
          >
            €{euro}
          </button>
        ))}
      </div>
      <FeedbackNote feedback={feedback} testId={TestIds.depositResult} />
    </section>
  );
}
