import { describe, expect, it } from 'vitest';
import { dockerCpuPercent, dockerMemoryBytes } from './docker-stats.ts';

describe('Docker Engine stats', () => {
  it('computes CPU % as docker stats does', () => {
    const s = {
      cpu_stats: {
        cpu_usage: { total_usage: 2_000_000_000 },
        system_cpu_usage: 20_000_000_000,
        online_cpus: 2,
      },
      precpu_stats: { cpu_usage: { total_usage: 1_500_000_000 }, system_cpu_usage: 18_000_000_000 },
    };
    // 0.5 s of CPU over 2 s of all-CPU time (two cores' worth: 1 s wall) → 50 % of a core
    expect(dockerCpuPercent(s)).toBeCloseTo(50);
    expect(dockerCpuPercent({ cpu_stats: s.cpu_stats })).toBeUndefined();
  });

  it('reports memory less the inactive page cache (cgroup v2 and v1)', () => {
    expect(dockerMemoryBytes({ memory_stats: { usage: 1000, stats: { inactive_file: 300 } } })).toBe(700);
    expect(dockerMemoryBytes({ memory_stats: { usage: 1000, stats: { total_inactive_file: 100 } } })).toBe(
      900,
    );
    expect(dockerMemoryBytes({})).toBeUndefined();
  });
});
