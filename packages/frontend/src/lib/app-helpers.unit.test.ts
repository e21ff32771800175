import { describe, expect, it } from 'vitest';
import { accountRows, filterAccounts } from './accounts.ts';
import { pathOf, viewOf } from './route.ts';
import type { Transaction } from './transactions.ts';
import { newUuid } from './uuid.ts';

const last = (iban: string, balance: string): Transaction => ({
  id: 1,
  iban,
  new_balance: balance,
  changed_by: '€1,00',
  from_to: 'cash',
  descr: 'deposit',
  direction: 'CREDIT',
});

describe('accounts of the bank employee view', () => {
  const rows = accountRows([
    last('NL66OPEN0000000000', '€1,00'),
    last('NL30OPEN0123456789', '€2,00'),
    { ...last('x', '€0,00'), iban: null },
  ]);

  it('lists every account by IBAN with its balance', () => {
    expect(rows.map((r) => [r.iban, r.balance])).toEqual([
      ['NL30OPEN0123456789', '€2,00'],
      ['NL66OPEN0000000000', '€1,00'],
    ]);
  });

  it('filters by a part of the IBAN as typed, and caps what is shown', () => {
    expect(filterAccounts(rows, 'open 0123', 10).shown.map((r) => r.iban)).toEqual(['NL30OPEN0123456789']);
    const capped = filterAccounts(rows, '', 1);
    expect(capped.shown).toHaveLength(1);
    expect(capped.matching).toBe(2);
  });
});

describe('routes', () => {
  it('maps paths to views and back; unknown paths show home', () => {
    expect(viewOf('/client')).toBe('client');
    expect(viewOf('/employee/')).toBe('employee');
    expect(viewOf('/nowhere')).toBe('home');
    expect(pathOf('background')).toBe('/background');
    expect(pathOf('home')).toBe('/');
  });
});

describe('newUuid', () => {
  it('makes a v4 UUID without randomUUID (plain http on a LAN address)', () => {
    const id = newUuid({ getRandomValues: <T extends ArrayBufferView | null>(a: T) => a });
    expect(id).toBe('00000000-0000-4000-8000-000000000000');
    expect(newUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
