import { describe, expect, it } from 'vitest';
import { consumerLag, parsePrometheus, sumMetric } from './prometheus.ts';

const TEXT = `# HELP open_bank_consumer_lag Messages behind the high watermark, per partition
# TYPE open_bank_consumer_lag gauge
open_bank_consumer_lag{topic="confirm_money_transfer",partition="0"} 12
open_bank_consumer_lag{topic="confirm_money_transfer",partition="1"} 3
open_bank_consumer_lag{topic="confirm_account_creation",partition="0"} 0
process_cpu_seconds_total 1.5
weird{label="a \\"quoted\\" value"} 7 1700000000000
not a sample line
up +Inf
`;

describe('Prometheus text', () => {
  it('parses samples with labels, escapes and timestamps, skipping comments and junk', () => {
    const samples = parsePrometheus(TEXT);
    expect(samples).toHaveLength(6);
    expect(samples[0]).toEqual({
      name: 'open_bank_consumer_lag',
      labels: { topic: 'confirm_money_transfer', partition: '0' },
      value: 12,
    });
    expect(samples.find((s) => s.name === 'weird')?.labels.label).toBe('a "quoted" value');
    expect(samples.find((s) => s.name === 'up')?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it('sums a metric, optionally over matching labels only', () => {
    const samples = parsePrometheus(TEXT);
    expect(sumMetric(samples, 'open_bank_consumer_lag', { topic: 'confirm_money_transfer' })).toBe(15);
    expect(sumMetric(samples, 'missing')).toBeUndefined();
    expect(consumerLag(TEXT)).toBe(15);
    expect(consumerLag('# nothing yet\n')).toBeUndefined();
  });
});
