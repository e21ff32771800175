import { COMPANY_IBAN } from '@open-bank/contract';
import { type FormEvent, useRef, useState } from 'react';
import { moneyTransfer } from '../api/bank.ts';
import { useBankClient } from '../client-context.tsx';
import { describeError } from '../errors.ts';
import { useUnsettledRequests } from '../hooks/use-unsettled.ts';
import type { Account } from '../lib/account.ts';
import { formatCents } from '../lib/euro.ts';
import { MAX_DESCRIPTION, type TransferInput, validateTransfer } from '../lib/validation.ts';
import { TestIds } from '../test-ids.ts';
import { type Feedback, FeedbackNote } from './feedback.tsx';

const EMPTY: TransferInput = { amount: '', to: '', description: '' };

/**
 * A transfer from the client's account. Checked here the way the bank checks it, so a mistake shows before
 * sending. A request that got no answer stays pending and is sent again under its own uuid until the bank
 * answers; sending the same form again joins it, so the money cannot move twice.
 */
export function TransferForm({ account }: { account: Account }) {
  const client = useBankClient();
  const [input, setInput] = useState<TransferInput>(EMPTY);
  const [touched, setTouched] = useState<Partial<Record<keyof TransferInput, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const send = useUnsettledRequests<Awaited<ReturnType<typeof moneyTransfer>>>();
  // The submit button's click (also fired by Enter in a field), for the page's own timing: the submit event
  // comes a little after it.
  const clickedAt = useRef<number | null>(null);
  const validation = validateTransfer(input, account.iban);
  const errors = validation.ok ? {} : validation.errors;
  const shown = (k: keyof TransferInput) => (touched[k] || submitted ? errors[k] : undefined);
  const pending = feedback?.state === 'pending';

  const set = (k: keyof TransferInput) => (e: { target: { value: string } }) =>
    setInput((current) => ({ ...current, [k]: e.target.value }));
  const blur = (k: keyof TransferInput) => () => setTouched((t) => ({ ...t, [k]: true }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const clickAt = clickedAt.current ?? e.timeStamp;
    clickedAt.current = null;
    setSubmitted(true);
    if (!validation.ok || pending) return;
    const { cents, to, description } = validation.value;
    const key = JSON.stringify({ ...validation.value, from: account.iban });
    const what = `${formatCents(cents)} to ${to}`;
    setFeedback({ state: 'pending', text: `Transferring ${what}…` });
    const timing = client.timings.begin('transfer', account.iban, clickAt);
    try {
      const result = await send(
        key,
        (uuid) =>
          moneyTransfer(
            client,
            { uuid, token: account.token, amount: cents, from: account.iban, to, descr: description },
            (at) => client.timings.sent(timing, at),
          ),
        (error, retryInMs) =>
          setFeedback({
            state: 'pending',
            text: `Transfer of ${what} not confirmed yet (${describeError(error)}); asking again in ${Math.round(retryInMs / 1000)} s…`,
          }),
      );
      client.timings.answered(timing, performance.now());
      if (result.success) {
        setFeedback({ state: 'success', text: `Transferred ${what}.` });
        setInput((current) => ({ ...current, amount: '', description: '' }));
        setTouched({});
        setSubmitted(false);
      } else {
        setFeedback({
          state: 'failure',
          text: `Transfer of ${what} failed: ${result.reason ?? 'no reason given'}`,
        });
      }
    } catch (error) {
      setFeedback({ state: 'failure', text: `Transfer of ${what} not confirmed. ${describeError(error)}` });
    }
  };

  return (
    <form className="box transfer-form" onSubmit={submit} noValidate>
      <h2 className="title is-5 mb-3">Transfer money</h2>
      <div className="columns is-mobile is-variable is-2 mb-0">
        <div className="column is-5">
          <div className="field">
            <label className="label is-small" htmlFor="transfer-amount">
              Amount (€)
            </label>
            <div className="control">
              <input
                id="transfer-amount"
                className={`input ${shown('amount') ? 'is-danger' : ''}`}
                data-testid={TestIds.transferAmount}
                inputMode="decimal"
                placeholder="12,50"
                autoComplete="off"
                value={input.amount}
                aria-invalid={shown('amount') !== undefined}
                onChange={set('amount')}
                onBlur={blur('amount')}
              />
            </div>
            {shown('amount') && <p className="help is-danger">{shown('amount')}</p>}
          </div>
        </div>
        <div className="column">
          <div className="field">
            <label className="label is-small" htmlFor="transfer-to">
              To
            </label>
            <div className="control">
              <input
                id="transfer-to"
                className={`input is-family-monospace ${shown('to') ? 'is-danger' : ''}`}
                data-testid={TestIds.transferTo}
                placeholder="IBAN"
                autoComplete="off"
                spellCheck={false}
                value={input.to}
                aria-invalid={shown('to') !== undefined}
                onChange={set('to')}
                onBlur={blur('to')}
              />
            </div>
            {shown('to') ? (
              <p className="help is-danger">{shown('to')}</p>
            ) : (
              <p className="help">
                <button
                  type="button"
                  className="button is-text is-small p-0 help-link"
                  onClick={() => setInput((current) => ({ ...current, to: COMPANY_IBAN }))}
                >
                  Use the company account
                </button>
              </p>
            )}
          </div>
        </div>
      </div>
      <div className="field">
        <label className="label is-small" htmlFor="transfer-description">
          Description
        </label>
        <div className="control">
          <input
            id="transfer-description"
            className={`input ${shown('description') ? 'is-danger' : ''}`}
            data-testid={TestIds.transferDescription}
            placeholder="What it is for"
            maxLength={MAX_DESCRIPTION + 50}
            value={input.description}
            aria-invalid={shown('description') !== undefined}
            onChange={set('description')}
            onBlur={blur('description')}
          />
        </div>
        {shown('description') && <p className="help is-danger">{shown('description')}</p>}
      </div>
      <div className="field">
        <button
          type="submit"
          className={`button is-primary ${pending ? 'is-loading' : ''}`}
          data-testid={TestIds.transferSubmit}
          disabled={pending}
          onClick={(e) => {
            clickedAt.current = e.timeStamp;
          }}
        >
          Transfer
        </button>
      </div>
      <FeedbackNote feedback={feedback} testId={TestIds.transferResult} />
    </form>
  );
}
