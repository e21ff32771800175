import { COMPANY_IBAN } from '@open-bank/contract';
import { describe, expect, it } from 'vitest';
import { hasErrors, validateLogin, validateTransfer } from './validation.ts';

const OWN = 'NL91ABNA0417164300';

describe('validateLogin', () => {
  it('needs a username and a password of at least 8 characters', () => {
    expect(validateLogin({ username: 'testuser', password: '12345678' })).toEqual({});
    const errors = validateLogin({ username: 'short', password: '1234567' });
    expect(errors.username).toMatch(/at least 8/);
    expect(errors.password).toMatch(/at least 8/);
    expect(hasErrors(errors)).toBe(true);
  });

  it('does not count surrounding spaces of the username', () => {
    expect(validateLogin({ username: '  abcdefg ', password: '12345678' }).username).toMatch(/at least 8/);
  });

  it('refuses what the endpoint would refuse', () => {
    expect(validateLogin({ username: 'u'.repeat(101), password: '12345678' }).username).toMatch(
      /at most 100/,
    );
    expect(validateLogin({ username: 'testuser', password: 'p'.repeat(129) }).password).toMatch(
      /at most 128/,
    );
  });
});

describe('validateTransfer', () => {
  it('gives cents, the compact IBAN and the trimmed description', () => {
    expect(
      validateTransfer({ amount: '11,11', to: 'nl66 open 0000 0000 00', description: ' rent ' }, OWN),
    ).toEqual({
      ok: true,
      value: { cents: 1111, to: COMPANY_IBAN, description: 'rent' },
    });
  });

  it('allows cash as the receiver (a withdrawal)', () => {
    const r = validateTransfer({ amount: '20', to: 'Cash', description: '' }, OWN);
    expect(r.ok && r.value.to).toBe('cash');
  });

  it('names every bad field', () => {
    const r = validateTransfer({ amount: 'x', to: 'NL00OPEN0000000000', description: 'd'.repeat(201) }, OWN);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['amount', 'description', 'to']);
  });

  it('refuses a transfer to the own account and a missing receiver', () => {
    const own = validateTransfer({ amount: '1', to: OWN, description: '' }, OWN);
    expect(!own.ok && own.errors.to).toMatch(/own account/);
    const none = validateTransfer({ amount: '1', to: ' ', description: '' }, OWN);
    expect(!none.ok && none.errors.to).toMatch(/Enter/);
  });
});
