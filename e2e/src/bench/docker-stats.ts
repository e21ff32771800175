/** The parts of one Docker Engine `GET /containers/<id>/stats?stream=false` answer a sample uses. */
export interface DockerStats {
  readonly cpu_stats?: {
    readonly cpu_usage?: { readonly total_usage?: number; readonly percpu_usage?: readonly number[] };
    readonly system_cpu_usage?: number;
    readonly online_cpus?: number;
  };
  readonly precpu_stats?: {
    readonly cpu_usage?: { readonly total_usage?: number };
    readonly system_cpu_usage?: number;
  };
  readonly memory_stats?: {
    readonly usage?: number;
    readonly stats?: Readonly<Record<string, number>>;
  };
}

/** CPU % as `docker stats` computes it (100 = one core busy); undefined before the engine has two readings. */
export function dockerCpuPercent(s: DockerStats): number | undefined {
  const total = s.cpu_stats?.cpu_usage?.total_usage;
  const preTotal = s.precpu_stats?.cpu_usage?.total_usage;
  const system = s.cpu_stats?.system_cpu_usage;
  const preSystem = s.precpu_stats?.system_cpu_usage;
  if (total === undefined || preTotal === undefined || system === undefined || preSystem === undefined)
    return undefined;
  const cpuDelta = total - preTotal;
  const systemDelta = system - preSystem;
  if (systemDelta <= 0 || cpuDelta < 0) return undefined;
  const cpus = s.cpu_stats?.online_cpus ?? s.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1;
  return (cpuDelta / systemDelta) * cpus * 100;
}

/** Memory in use less the page cache the kernel can drop, as `docker stats` shows it (cgroup v1 and v2). */
export function dockerMemoryBytes(s: DockerStats): number | undefined {
  const usage = s.memory_stats?.usage;
  if (usage === undefined) return undefined;
  const stats = s.memory_stats?.stats ?? {};
  const cache = stats.inactive_file ?? stats.total_inactive_file ?? stats.cache ?? 0;
  return Math.max(0, usage - cache);
}
