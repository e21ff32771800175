import { type FormEvent, useState } from 'react';
import { getAccount } from '../api/bank.ts';
import { useBankClient } from '../client-context.tsx';
import { describeError } from '../errors.ts';
import type { Account } from '../lib/account.ts';
import { hasErrors, LoginLimits, validateLogin } from '../lib/validation.ts';
import { TestIds } from '../test-ids.ts';
import { type Feedback, FeedbackNote } from './feedback.tsx';

const REASONS: Record<string, string> = {
  'incorrect password': 'Incorrect password for this username.',
};

/** Log in, or open an account: the first login with a new username opens one. */
export function LoginForm({ onLoggedIn }: { onLoggedIn: (account: Account) => void }) {
  const client = useBankClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState({ username: false, password: false });
  const [submitted, setSubmitted] = useState(false);
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const errors = validateLogin({ username, password });
  const shown = {
    username: touched.username || submitted ? errors.username : undefined,
    password: touched.password || submitted ? errors.password : undefined,
  };
  const pending = feedback?.state === 'pending';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (hasErrors(errors) || pending) return;
    setFeedback({ state: 'pending', text: 'Contacting the bank…' });
    try {
      const name = username.trim();
      const result = await getAccount(client, name, password);
      if (result.iban && result.token) {
        setFeedback(null);
        onLoggedIn({ username: name, iban: result.iban, token: result.token });
      } else {
        const reason = result.reason ?? 'the bank gave no account';
        setFeedback({ state: 'failure', text: REASONS[reason] ?? `Could not log in: ${reason}` });
      }
    } catch (error) {
      setFeedback({ state: 'failure', text: describeError(error) });
    }
  };

  return (
    <form className="box login-form" onSubmit={submit} noValidate>
      <h2 className="title is-4">Log in or open an account</h2>
      <p className="subtitle is-6 has-text-grey">A new username opens a new account.</p>
      <div className="field">
        <label className="label" htmlFor="login-username">
          Username
        </label>
        <div className="control">
          <input
            id="login-username"
            className={`input ${shown.username ? 'is-danger' : ''}`}
            data-testid={TestIds.loginUsername}
            autoComplete="username"
            value={username}
            maxLength={LoginLimits.maxUsername}
            aria-invalid={shown.username !== undefined}
            aria-describedby="login-username-help"
            onChange={(e) => setUsername(e.target.value)}
            onBlur={() => setTouched((t) => ({ ...t, username: true }))}
          />
        </div>
        <p id="login-username-help" className={`help ${shown.username ? 'is-danger' : ''}`}>
          {shown.username ?? `At least ${LoginLimits.min} characters`}
        </p>
      </div>
      <div className="field">
        <label className="label" htmlFor="login-password">
          Password
        </label>
        <div className="control">
          <input
            id="login-password"
            type="password"
            className={`input ${shown.password ? 'is-danger' : ''}`}
            data-testid={TestIds.loginPassword}
            autoComplete="current-password"
            value={password}
            maxLength={LoginLimits.maxPassword}
            aria-invalid={shown.password !== undefined}
            aria-describedby="login-password-help"
            onChange={(e) => setPassword(e.target.value)}
            onBlur={() => setTouched((t) => ({ ...t, password: true }))}
          />
        </div>
        <p id="login-password-help" className={`help ${shown.password ? 'is-danger' : ''}`}>
          {shown.password ?? `At least ${LoginLimits.min} characters`}
        </p>
      </div>
      <div className="field mt-5">
        <div className="control">
          <button
            type="submit"
            className={`button is-primary is-fullwidth ${pending ? 'is-loading' : ''}`}
            data-testid={TestIds.loginSubmit}
            disabled={pending}
          >
            Log in / open account
          </button>
        </div>
      </div>
      <FeedbackNote feedback={feedback} testId={TestIds.loginResult} />
    </form>
  );
}
