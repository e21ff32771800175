import { AccountCard } from '../components/account-card.tsx';
import { DepositButtons } from '../components/deposit-buttons.tsx';
import { LoginForm } from '../components/login-form.tsx';
import { TransactionList } from '../components/transaction-list.tsx';
import { TransferForm } from '../components/transfer-form.tsx';
import { useTransactions } from '../hooks/use-transactions.ts';
import type { Account } from '../lib/account.ts';
import { newestBalance } from '../lib/transactions.ts';

export interface ClientViewProps {
  readonly account: Account | null;
  readonly onLoggedIn: (account: Account) => void;
  readonly onLogout: () => void;
}

export function ClientView({ account, onLoggedIn, onLogout }: ClientViewProps) {
  if (!account) {
    return (
      <div className="columns is-centered">
        <div className="column is-5-desktop is-6-tablet">
          <LoginForm onLoggedIn={onLoggedIn} />
        </div>
        <div className="column is-5-desktop is-6-tablet">
          <div className="content intro">
            <h2 className="title is-5">Your account in a few seconds</h2>
            <ol>
              <li>Pick a username and a password, both at least 8 characters.</li>
              <li>The first login opens a new current account, starting at €0,00 with €500 of overdraft.</li>
              <li>Deposit cash, transfer money to any IBAN, and see each change arrive live.</li>
            </ol>
            <p className="has-text-grey is-size-7">
              A demo bank: no real money moves. Log in again with the same username and password to get back
              to your account.
            </p>
          </div>
        </div>
      </div>
    );
  }
  return <ClientAccount key={account.iban} account={account} onLogout={onLogout} />;
}

function ClientAccount({ account, onLogout }: { account: Account; onLogout: () => void }) {
  const transactions = useTransactions(account.iban);
  return (
    <>
      <AccountCard
        account={account}
        balance={newestBalance(transactions.items)}
        loading={transactions.loading}
        onLogout={onLogout}
      />
      <div className="columns mt-4">
        <div className="column is-5">
          <DepositButtons account={account} />
          <TransferForm account={account} />
        </div>
        <div className="column is-7">
          <TransactionList
            title="Your transactions"
            subtitle="Newest first, live"
            transactions={transactions}
          />
        </div>
      </div>
    </>
  );
}
