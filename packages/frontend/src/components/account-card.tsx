import { groupIban } from '@open-bank/contract';
import { useState } from 'react';
import type { Account } from '../lib/account.ts';
import { TestIds } from '../test-ids.ts';

export interface AccountCardProps {
  readonly account: Account;
  readonly balance: string | null;
  readonly loading: boolean;
  readonly onLogout: () => void;
}

export function AccountCard({ account, balance, loading, onLogout }: AccountCardProps) {
  const [showToken, setShowToken] = useState(false);
  return (
    <section className="card account-card">
      <div className="card-content">
        <div className="account-top">
          <div>
            <p className="heading">Current account of {account.username}</p>
            <p
              className="iban is-family-monospace"
              title={groupIban(account.iban)}
              data-testid={TestIds.accountIban}
            >
              {account.iban}
            </p>
          </div>
          <div className="has-text-right-tablet">
            <p className="heading">Balance</p>
            <p className="balance" data-testid={TestIds.accountBalance}>
              {balance ?? (loading ? '…' : '€0,00')}
            </p>
          </div>
        </div>
        <div className="account-bottom">
          <div className="token">
            <span className="heading mb-0 mr-2">Token</span>
            <span className="is-family-monospace" aria-live="polite">
              {showToken ? account.token : '•'.repeat(account.token.length)}
            </span>
            <button
              type="button"
              className="button is-small is-text ml-1"
              data-testid={TestIds.tokenToggle}
              aria-pressed={showToken}
              onClick={() => setShowToken((s) => !s)}
            >
              {showToken ? 'Hide' : 'Show'}
            </button>
          </div>
          <button
            type="button"
            className="button is-small is-light"
            data-testid={TestIds.logout}
            onClick={onLogout}
          >
            Log out
          </button>
        </div>
      </div>
    </section>
  );
}
