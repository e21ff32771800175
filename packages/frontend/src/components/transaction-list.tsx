import { type ReactNode, useId, useState } from 'react';
import { useConnection } from '../client-context.tsx';
import type { LiveTransactions } from '../hooks/use-transactions.ts';
import {
  DEFAULT_FIELDS,
  FIELDS,
  MAX_ITEMS_CHOICES,
  type Transaction,
  type TransactionField,
} from '../lib/transactions.ts';
import { TestIds } from '../test-ids.ts';

function cell(t: Transaction, field: TransactionField): ReactNode {
  switch (field) {
    case 'direction':
      if (t.direction === null) return null;
      return (
        <span className={`tag is-light ${t.direction === 'CREDIT' ? 'is-success' : 'is-danger'}`}>
          {t.direction === 'CREDIT' ? 'Credit' : 'Debit'}
        </span>
      );
    case 'changed_by':
      return (
        <span className={`amount ${t.direction === 'DEBIT' ? 'has-text-danger' : 'has-text-success'}`}>
          <span aria-hidden="true">{t.direction === 'DEBIT' ? '− ' : '+ '}</span>
          {t.changed_by}
        </span>
      );
    case 'new_balance':
      return <span className="amount has-text-weight-semibold">{t.new_balance}</span>;
    case 'iban':
      return <span className="is-family-monospace">{t.iban}</span>;
    case 'from_to':
      return (
        <span className={/^[A-Z]{2}\d{2}/.test(t.from_to ?? '') ? 'is-family-monospace' : ''}>
          {t.from_to}
        </span>
      );
    case 'descr':
      return t.descr;
    case 'id':
      return <span className="has-text-grey">{t.id}</span>;
  }
}

export interface TransactionListProps {
  readonly title: string;
  readonly subtitle?: ReactNode;
  readonly transactions: LiveTransactions;
  readonly initialFields?: ReadonlySet<TransactionField>;
}

/** Newest first, live; how many and which fields show is the viewer's choice. */
export function TransactionList({ title, subtitle, transactions, initialFields }: TransactionListProps) {
  const [fields, setFields] = useState<ReadonlySet<TransactionField>>(initialFields ?? DEFAULT_FIELDS);
  const shown = FIELDS.filter((f) => fields.has(f.key));
  const toggle = (key: TransactionField) =>
    setFields((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const { items, loading, error, fresh, maxItems, setMaxItems } = transactions;
  const maxId = useId();
  const connected = useConnection().status === 'connected';
  const activity = loading ? 'loading' : connected ? 'live' : 'paused';

  return (
    <section className="card transactions-card">
      <header className="card-header">
        <div className="card-header-title is-block">
          <p className="title is-5 mb-1">{title}</p>
          {subtitle && <p className="subtitle is-7 has-text-grey">{subtitle}</p>}
        </div>
        <div className="card-header-icon is-unselectable">
          <span className={`live-dot is-${activity}`} aria-hidden="true" />
          <span className="is-size-7 has-text-grey">{activity}</span>
        </div>
      </header>
      <div className="card-content">
        <div className="list-controls">
          <div className="max-items">
            <label className="label is-small mb-0" htmlFor={maxId}>
              Show
            </label>
            <div className="select is-small">
              <select
                id={maxId}
                data-testid={TestIds.maxItems}
                value={maxItems}
                onChange={(e) => setMaxItems(Number(e.target.value))}
              >
                {MAX_ITEMS_CHOICES.map((n) => (
                  <option key={n} value={n}>
                    {n} newest
                  </option>
                ))}
              </select>
            </div>
          </div>
          <fieldset className="field-toggles">
            <legend className="is-sr-only">Fields to show</legend>
            {FIELDS.map((f) => (
              <button
                key={f.key}
                type="button"
                className={`button is-small is-rounded ${fields.has(f.key) ? 'is-link is-light' : 'is-white has-text-grey'}`}
                aria-pressed={fields.has(f.key)}
                data-testid={TestIds.field(f.key)}
                onClick={() => toggle(f.key)}
              >
                {f.label}
              </button>
            ))}
          </fieldset>
        </div>
        {error && <div className="notification is-warning is-light py-2 px-3 is-size-7">{error}</div>}
        <div className="table-container">
          <table
            className="table is-fullwidth is-hoverable transactions"
            data-testid={TestIds.transactionList}
            aria-busy={loading}
          >
            <thead>
              <tr>
                {shown.map((f) => (
                  <th key={f.key} className={`col-${f.key}`}>
                    {f.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((t, i) => (
                <tr
                  key={t.id}
                  data-testid={TestIds.transactionRow}
                  className={fresh.has(t.id) ? 'is-new' : ''}
                >
                  {shown.map((f) => (
                    <td
                      key={f.key}
                      className={`col-${f.key}`}
                      data-label={f.label}
                      data-testid={i === 0 && f.key === 'new_balance' ? TestIds.newestNewBalance : undefined}
                    >
                      {cell(t, f.key)}
                    </td>
                  ))}
                </tr>
              ))}
              {items.length === 0 && (
                <tr className="empty">
                  <td colSpan={Math.max(1, shown.length)} className="has-text-grey has-text-centered py-5">
                    {loading ? 'Loading transactions…' : 'No transactions yet.'}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
