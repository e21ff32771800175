import { groupIban } from '@open-bank/contract';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { allLastTransactions } from '../api/bank.ts';
import { useBankClient } from '../client-context.tsx';
import { TransactionList } from '../components/transaction-list.tsx';
import { describeError } from '../errors.ts';
import { useTransactions } from '../hooks/use-transactions.ts';
import { type AccountRow, accountRows, filterAccounts } from '../lib/accounts.ts';
import { TestIds } from '../test-ids.ts';

const PAGE = 100;
const REFRESH_MS = 10_000;

/** Every account with its balance (from all_last_transactions); pick one to watch its transactions. */
export function EmployeeView() {
  const client = useBankClient();
  const [rows, setRows] = useState<readonly AccountRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const watchRef = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    setRefreshing(true);
    try {
      setRows(accountRows(await allLastTransactions(client)));
      setError(null);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setRefreshing(false);
    }
  }, [client]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    const off = client.onReconnect(() => void load());
    return () => {
      clearInterval(timer);
      off();
    };
  }, [client, load]);

  const { shown, matching } = useMemo(() => filterAccounts(rows ?? [], filter, PAGE), [rows, filter]);

  const pick = (iban: string) => {
    setSelected(iban);
    // On a phone the transactions are below the list.
    requestAnimationFrame(() => watchRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
  };

  return (
    <div className="columns">
      <div className="column is-5">
        <section className="card">
          <header className="card-header">
            <div className="card-header-title is-block">
              <p className="title is-5 mb-1">Accounts</p>
              <p className="subtitle is-7 has-text-grey">
                {rows === null ? 'Loading…' : `${rows.length} accounts with transactions, by IBAN`}
              </p>
            </div>
            <div className="card-header-icon">
              <button
                type="button"
                className={`button is-small is-light ${refreshing ? 'is-loading' : ''}`}
                data-testid={TestIds.employeeRefresh}
                onClick={() => void load()}
              >
                Refresh
              </button>
            </div>
          </header>
          <div className="card-content">
            <div className="field">
              <div className="control">
                <input
                  className="input is-small"
                  type="search"
                  placeholder="Find an IBAN"
                  aria-label="Find an IBAN"
                  data-testid={TestIds.employeeFilter}
                  value={filter}
                  onChange={(e) => setFilter(e.target.value)}
                />
              </div>
            </div>
            {error && <div className="notification is-warning is-light py-2 px-3 is-size-7">{error}</div>}
            <div className="table-container accounts-table">
              <table className="table is-fullwidth is-hoverable is-narrow">
                <thead>
                  <tr>
                    <th>IBAN</th>
                    <th className="has-text-right">Balance</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr key={r.iban} className={selected === r.iban ? 'is-selected' : ''}>
                      <td>
                        <button
                          type="button"
                          className="button is-text is-small account-pick is-family-monospace"
                          data-testid={TestIds.employeeAccount(r.iban)}
                          aria-pressed={selected === r.iban}
                          onClick={() => pick(r.iban)}
                        >
                          {groupIban(r.iban)}
                        </button>
                      </td>
                      <td className="has-text-right amount">{r.balance}</td>
                    </tr>
                  ))}
                  {rows !== null && shown.length === 0 && (
                    <tr>
                      <td colSpan={2} className="has-text-grey has-text-centered py-4">
                        {filter ? 'No account matches.' : 'No accounts yet.'}
                      </td>
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
            {matching > shown.length && (
              <p className="is-size-7 has-text-grey">
                Showing {shown.length} of {matching}; type part of an IBAN to narrow the list.
              </p>
            )}
          </div>
        </section>
      </div>
      <div className="column is-7" ref={watchRef}>
        {selected ? (
          <WatchedAccount key={selected} iban={selected} />
        ) : (
          <div className="box has-text-centered has-text-grey pick-hint">
            <p className="title is-6 has-text-grey">Pick an account</p>
            <p>Its transactions appear here and stay live.</p>
          </div>
        )}
      </div>
    </div>
  );
}

function WatchedAccount({ iban }: { iban: string }) {
  const transactions = useTransactions(iban);
  return (
    <TransactionList
      title={groupIban(iban)}
      subtitle="Transactions of this account, newest first, live"
      transactions={transactions}
    />
  );
}
