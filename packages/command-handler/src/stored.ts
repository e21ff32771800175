import type { BalanceChanged } from '@open-bank/topology';
import { StoredAnswerError } from './errors.ts';

/**
 * How a transfer's BalanceChanged events are kept in balancedb: a JSON array with the amounts as strings,
 * because JSON numbers cannot carry a bigint exactly. The column is `json`, not `jsonb`: jsonb refuses
 * `\u0000`, which a description may contain, and the answer must be kept whatever the command held.
 */
export function eventsToJson(events: readonly BalanceChanged[]): string {
  return JSON.stringify(
    events.map((e) => ({
      iban: e.iban,
      new_balance: e.new_balance.toString(),
      changed_by: e.changed_by.toString(),
      from_to: e.from_to,
      description: e.description,
    })),
  );
}

/** The inverse of `eventsToJson`, from the value node-postgres returns for a json column (parsed or not). */
export function eventsFromJson(value: unknown): BalanceChanged[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (parsed === null || parsed === undefined) return [];
  if (!Array.isArray(parsed)) throw new StoredAnswerError(`stored events are not an array`);
  return parsed.map((e: unknown) => {
    if (typeof e !== 'object' || e === null) throw new StoredAnswerError('stored event is not an object');
    const r = e as Record<string, unknown>;
    return {
      iban: text(r, 'iban'),
      new_balance: BigInt(text(r, 'new_balance')),
      changed_by: BigInt(text(r, 'changed_by')),
      from_to: text(r, 'from_to'),
      description: text(r, 'description'),
    };
  });
}

function text(r: Record<string, unknown>, key: string): string {
  const v = r[key];
  if (typeof v !== 'string') throw new StoredAnswerError(`stored event field ${key} is not a string`);
  return v;
}
