import { describe, expect, it } from 'vitest';
import { parseStartup } from './runner.ts';

describe('a service start from its /health', () => {
  it('takes the serving moment and the slowest group join', () => {
    expect(
      parseStartup({
        servingMs: 341.2,
        groups: { a: { connectedMs: 300, joinedMs: 380 }, b: { joinedMs: 420 } },
      }),
    ).toEqual({ servingMs: 341.2, joinedMs: 420 });
    expect(parseStartup({ servingMs: 180, groups: {} })).toEqual({ servingMs: 180 });
  });

  it('has nothing to say for a health without start figures', () => {
    expect(parseStartup(undefined)).toBeUndefined();
    expect(parseStartup({ groups: { a: { joinedMs: 3 } } })).toBeUndefined();
    expect(parseStartup('ok')).toBeUndefined();
  });
});
