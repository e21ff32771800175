import { describe, expect, it } from 'vitest';
import { header } from '../testing/bench-fixtures.ts';
import { groupLabel, parseGroupBy, runSetupOf } from './run-setup.ts';

describe('what a run ran on', () => {
  it('comes from the header, with what older runs imply where they lack the fields', () => {
    const old = {
      ...header('kafkajs'),
      target: { kind: 'local', components: ['kafka-1', 'postgres', 'browser'] },
      options: { stepPerSecond: 50, cycleLoops: 25 },
    };
    expect(runSetupOf(old)).toEqual({ kafkaClient: 'kafkajs', brokers: 1, mode: 'ramp', preset: 'default' });
    expect(runSetupOf({ ...old, options: { stepPerSecond: 10, cycleLoops: 40 } }).preset).toBe('original');
    expect(runSetupOf({ ...old, options: { smoke: true } }).preset).toBe('smoke');
    expect(runSetupOf({ ...old, options: { stepPerSecond: 70 } }).preset).toBe('custom');
    const now = { ...old, kafkaClient: 'confluent', brokers: 3, mode: 'steady' as const, preset: 'steady' };
    expect(runSetupOf(now)).toEqual({
      kafkaClient: 'confluent',
      brokers: 3,
      mode: 'steady',
      preset: 'steady',
    });
    expect(runSetupOf({ ...old, target: { kind: 'remote' } }).brokers).toBeUndefined();
  });

  it('labels a category by the fields asked for', () => {
    const setup = { kafkaClient: 'platformatic', brokers: 3, mode: 'ramp' as const, preset: 'original' };
    expect(groupLabel('x-2026-01-01T00-00-00Z', setup, parseGroupBy('name,client,brokers,preset'))).toBe(
      'x · platformatic · 3 brokers · original',
    );
    expect(groupLabel('x', { ...setup, brokers: 1 }, ['brokers', 'mode'])).toBe('1 broker · ramp');
    expect(() => parseGroupBy('client,colour')).toThrow(/colour/);
  });
});
