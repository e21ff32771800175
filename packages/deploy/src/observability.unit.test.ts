import { describe, expect, it } from 'vitest';
import {
  dashboardMetricNames,
  dashboardQueries,
  exposedMetricNames,
  metricNamesOf,
} from './observability.ts';

describe('metricNamesOf', () => {
  it('finds metric names, not functions, keywords, labels, strings, ranges or variables', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.99, sum by (le, hop) (rate(open_bank_hop_seconds_bucket{hop!="x y"}[$__rate_interval])))',
      ),
    ).toEqual(['open_bank_hop_seconds_bucket']);
    expect(metricNamesOf('sum(rate(a_total[5m])) / ignoring(x) group_left b_total * 100 + on (s) c')).toEqual(
      ['a_total', 'b_total', 'c'],
    );
    expect(metricNamesOf('max without (instance) (nodejs_eventloop_lag_p99_seconds) offset 5m')).toEqual([
      'nodejs_eventloop_lag_p99_seconds',
    ]);
    expect(metricNamesOf('vector(1)')).toEqual([]);
  });
});

describe('dashboards', () => {
  const dashboard = {
    uid: 'd',
    panels: [
      { title: 'A', datasource: { uid: 'p' }, targets: [{ expr: 'rate(x_total[1m])' }] },
      { type: 'row', panels: [{ title: 'B', targets: [{ expr: 'y', datasource: { uid: 'q' } }] }] },
      { title: 'C' },
    ],
  };
  it('lists every query with its panel and data source, rows included', () => {
    expect(dashboardQueries(dashboard)).toEqual([
      { panel: 'A', datasourceUid: 'p', expr: 'rate(x_total[1m])' },
      { panel: 'B', datasourceUid: 'q', expr: 'y' },
      { panel: 'C', datasourceUid: undefined, expr: '' },
    ]);
    expect(dashboardMetricNames(dashboard)).toEqual(['x_total', 'y']);
    expect(() => dashboardQueries({ panels: 'no' })).toThrow(/uid and a panels array/);
  });
  it('reads the names a /metrics text exposes, histograms and empty labelled families included', () => {
    const text = [
      '# HELP h_seconds h',
      '# TYPE h_seconds histogram',
      '# TYPE c_total counter',
      'g{service="s"} 1',
      'plain 2',
    ].join('\n');
    expect([...exposedMetricNames(text)].sort()).toEqual([
      'c_total',
      'g',
      'h_seconds',
      'h_seconds_bucket',
      'h_seconds_count',
      'h_seconds_sum',
      'plain',
    ]);
  });
});
