import type { Transaction } from '@open-bank/contract';

/** A transaction as the API delivers it (SPEC §4): amounts are already euro strings. */
export type { Transaction };

export type TransactionField = keyof Transaction;

export const FIELDS: readonly { readonly key: TransactionField; readonly label: string }[] = [
  { key: 'id', label: 'Id' },
  { key: 'iban', label: 'IBAN' },
  { key: 'direction', label: 'Direction' },
  { key: 'changed_by', label: 'Amount' },
  { key: 'from_to', label: 'From / to' },
  { key: 'descr', label: 'Description' },
  { key: 'new_balance', label: 'New balance' },
];

export const DEFAULT_FIELDS: ReadonlySet<TransactionField> = new Set([
  'direction',
  'changed_by',
  'from_to',
  'descr',
  'new_balance',
]);

export const MAX_ITEMS_CHOICES = [5, 10, 20, 50, 100] as const;
export const DEFAULT_MAX_ITEMS = 10;

export interface TransactionsState {
  /** Newest first, at most maxItems, no id twice. */
  readonly items: readonly Transaction[];
  readonly maxItems: number;
  readonly loading: boolean;
  readonly error: string | null;
  /** Ids that arrived live since the list was loaded, to highlight them. */
  readonly fresh: ReadonlySet<number>;
}

export type TransactionsAction =
  | { readonly type: 'reset' }
  | { readonly type: 'loading' }
  | { readonly type: 'loaded'; readonly items: readonly Transaction[] }
  | { readonly type: 'received'; readonly items: readonly Transaction[] }
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'max-items'; readonly maxItems: number };

export function initialTransactions(maxItems = DEFAULT_MAX_ITEMS): TransactionsState {
  return { items: [], maxItems, loading: true, error: null, fresh: new Set() };
}

/** Newest (highest id) first, each id once, at most `max`: the ids are the order transactions were stored in. */
export function mergeTransactions(
  current: readonly Transaction[],
  incoming: readonly Transaction[],
  max: number,
): Transaction[] {
  const byId = new Map<number, Transaction>();
  for (const t of current) byId.set(t.id, t);
  for (const t of incoming) byId.set(t.id, t);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, Math.max(0, max));
}

export function transactionsReducer(state: TransactionsState, action: TransactionsAction): TransactionsState {
  switch (action.type) {
    case 'reset':
      return initialTransactions(state.maxItems);
    case 'loading':
      return { ...state, loading: true, error: null };
    case 'loaded':
      // Live items that came in while the query ran are kept: the query may have been answered before them.
      return {
        ...state,
        items: mergeTransactions(state.items, action.items, state.maxItems),
        loading: false,
        error: null,
      };
    case 'received': {
      const items = mergeTransactions(state.items, action.items, state.maxItems);
      const shown = new Set(items.map((t) => t.id));
      const fresh = new Set([...state.fresh, ...action.items.map((t) => t.id)].filter((id) => shown.has(id)));
      return { ...state, items, fresh };
    }
    case 'failed':
      return { ...state, loading: false, error: action.error };
    case 'max-items':
      return { ...state, maxItems: action.maxItems, items: state.items.slice(0, action.maxItems) };
  }
}

/** The balance after the newest transaction, or null while there is none. */
export function newestBalance(items: readonly Transaction[]): string | null {
  return items[0]?.new_balance ?? null;
}
