import { InvalidRateError } from './errors.ts';
import { type Rate, rateProblems } from './ticker.ts';

const FIELDS: readonly (keyof Rate)[] = ['batchSize', 'intervalMs'];

/**
 * Reads the body of `PUT /state`: a JSON object with `batchSize`, `intervalMs` or both, nothing else.
 * Throws InvalidRateError naming every problem, so one answer tells the caller all that is wrong.
 */
export function parseRateChange(body: string): Partial<Rate> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidRateError('body must be JSON, like {"batchSize": 10, "intervalMs": 100}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidRateError('body must be a JSON object with batchSize and/or intervalMs');
  const fields = parsed as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(fields).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) problems.push(`unknown field(s) ${unknown.join(', ')}`);
  if (!FIELDS.some((f) => f in fields)) problems.push('give batchSize and/or intervalMs');
  problems.push(...rateProblems(fields));
  if (problems.length > 0) throw new InvalidRateError(problems.join('; '));
  const change: Partial<Rate> = {};
  if (fields.batchSize !== undefined) change.batchSize = fields.batchSize as number;
  if (fields.intervalMs !== undefined) change.intervalMs = fields.intervalMs as number;
  return change;
}
