import { COMPANY_IBAN, groupIban } from '@open-bank/contract';
import { TransactionList } from '../components/transaction-list.tsx';
import { useTransactions } from '../hooks/use-transactions.ts';
import type { View } from '../lib/route.ts';
import { newestBalance } from '../lib/transactions.ts';

/** The company account's transactions, live: salaries out, deposits and payments in. */
export function HomeView({ onNavigate }: { onNavigate: (view: View) => void }) {
  const transactions = useTransactions(COMPANY_IBAN);
  const balance = newestBalance(transactions.items);
  return (
    <>
      <section className="hero is-primary is-small welcome mb-5">
        <div className="hero-body">
          <p className="title is-3 is-spaced">Banking, one event at a time</p>
          <p className="subtitle is-6">
            Open Bank keeps every account as a stream of events on Apache Kafka. Open an account, deposit cash
            and transfer money, and watch the balances change the moment the bank confirms.
          </p>
          <div className="buttons">
            <button type="button" className="button is-white" onClick={() => onNavigate('client')}>
              Open an account
            </button>
            <button
              type="button"
              className="button is-white is-outlined"
              onClick={() => onNavigate('background')}
            >
              How it works
            </button>
          </div>
        </div>
      </section>
      <div className="columns">
        <div className="column is-4">
          <section className="card account-card company">
            <div className="card-content">
              <p className="heading">Company account</p>
              <p className="iban is-family-monospace">{groupIban(COMPANY_IBAN)}</p>
              <p className="heading mt-4">Balance</p>
              <p className="balance is-size-5">{balance ?? (transactions.loading ? '…' : '—')}</p>
              <p className="is-size-7 account-note mt-4">
                The company pays salaries to new accounts and receives what the benchmark transfers. Under
                background load, its list moves fast.
              </p>
            </div>
          </section>
        </div>
        <div className="column">
          <TransactionList
            title="Company transactions"
            subtitle="Newest first, as they are stored"
            transactions={transactions}
          />
        </div>
      </div>
    </>
  );
}
