import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PromTextError } from '../errors.ts';
import { parsePrometheusText } from './prom-text.ts';

describe('parsePrometheusText', () => {
  it('reads names, labels with escapes, special values and timestamps, skipping comments', () => {
    const text = [
      '# HELP a_total A counter',
      '# TYPE a_total counter',
      'a_total{topic="x",outcome="ok"} 12',
      'b 3.5e-3 1700000000000',
      'c{path="C:\\\\dir",msg="say \\"hi\\"\\nbye"} +Inf',
      'd{} NaN',
      '',
      'e{le="-Inf" , x="1",} -Inf',
    ].join('\n');
    const samples = parsePrometheusText(text);
    expect(samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ['a_total', { topic: 'x', outcome: 'ok' }, 12],
      ['b', {}, 0.0035],
      ['c', { path: 'C:\\dir', msg: 'say "hi"\nbye' }, Number.POSITIVE_INFINITY],
      ['d', {}, Number.NaN],
      ['e', { le: '-Inf', x: '1' }, Number.NEGATIVE_INFINITY],
    ]);
  });

  it("reads prom-client's own output, counters and histogram buckets", async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: 's' });
    const c = new Counter({ name: 'x_total', help: 'h', labelNames: ['kind'], registers: [registry] });
    const h = new Histogram({ name: 'y_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
    c.inc({ kind: 'a "quoted" kind' }, 3);
    h.observe(0.5);
    const samples = parsePrometheusText(await registry.metrics());
    expect(samples).toContainEqual({
      name: 'x_total',
      labels: { kind: 'a "quoted" kind', service: 's' },
      value: 3,
    });
    expect(samples).toContainEqual({
      name: 'y_seconds_bucket',
      labels: { le: '0.1', service: 's' },
      value: 0,
    });
    expect(samples).toContainEqual({
      name: 'y_seconds_bucket',
      labels: { le: '+Inf', service: 's' },
      value: 1,
    });
    expect(samples).toContainEqual({ name: 'y_seconds_count', labels: { service: 's' }, value: 1 });
  });

  it('drops unwanted names before parsing their labels', () => {
    expect(parsePrometheusText('keep 1\ndrop{broken 2', (n) => n === 'keep')).toEqual([
      { name: 'keep', labels: {}, value: 1 },
    ]);
  });

  it('names the line of malformed input', () => {
    expect(() => parsePrometheusText('ok 1\n{x="1"} 2')).toThrow(PromTextError);
    expect(() => parsePrometheusText('ok 1\n{x="1"} 2')).toThrow(/line 2: expected a metric name/);
    expect(() => parsePrometheusText('a{x="1} 2')).toThrow(/unterminated value of label x/);
    expect(() => parsePrometheusText('a{x=1} 2')).toThrow(/expected ="..." after x/);
    expect(() => parsePrometheusText('a twelve')).toThrow(/'twelve' is not a number/);
    expect(() => parsePrometheusText('a')).toThrow(/'' is not a number/);
  });
});
