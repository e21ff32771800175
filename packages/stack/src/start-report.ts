/** What a service's /health says about its start (see @open-bank/runtime startup.ts), as far as read. */
export interface ServiceStartup {
  readonly servingMs?: number;
  readonly groups: Readonly<Record<string, { readonly connectedMs?: number; readonly joinedMs?: number }>>;
}

/** One poll of a service's /health: did it answer at all, was it 200, and its start milestones. */
export interface HealthProbe {
  readonly answered: boolean;
  readonly ok: boolean;
  readonly startup: ServiceStartup | undefined;
}

/** Reads the `startup` field of a /health body; anything else (an older service, a proxy) is undefined. */
export function parseStartup(body: unknown): ServiceStartup | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const s = (body as { startup?: unknown }).startup;
  if (typeof s !== 'object' || s === null) return undefined;
  const { servingMs, groups } = s as { servingMs?: unknown; groups?: unknown };
  const out: Record<string, { connectedMs?: number; joinedMs?: number }> = {};
  if (typeof groups === 'object' && groups !== null) {
    for (const [id, g] of Object.entries(groups as Record<string, unknown>)) {
      if (typeof g !== 'object' || g === null) continue;
      const { connectedMs, joinedMs } = g as { connectedMs?: unknown; joinedMs?: unknown };
      out[id] = {
        ...(typeof connectedMs === 'number' ? { connectedMs } : {}),
        ...(typeof joinedMs === 'number' ? { joinedMs } : {}),
      };
    }
  }
  return { ...(typeof servingMs === 'number' ? { servingMs } : {}), groups: out };
}

export interface StartTimes {
  /** Seconds from spawn until /health first answered (any status): the HTTP server is up. */
  readonly servingS: number | undefined;
  /** Seconds from spawn until /health answered 200. */
  readonly healthyS: number;
  /** Seconds (the service's own clock, from its process start) until every consumer group had connected. */
  readonly groupsConnectedS: number | undefined;
  /** ... and until every group was joined. */
  readonly groupsJoinedS: number | undefined;
}

function latest(values: readonly (number | undefined)[]): number | undefined {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  return Math.max(...(values as number[])) / 1000;
}

export function startTimes(
  servingS: number | undefined,
  healthyS: number,
  startup: ServiceStartup | undefined,
): StartTimes {
  const groups = Object.values(startup?.groups ?? {});
  return {
    servingS,
    healthyS,
    groupsConnectedS: latest(groups.map((g) => g.connectedMs)),
    groupsJoinedS: latest(groups.map((g) => g.joinedMs)),
  };
}

/**
 * "Connected and serving": the HTTP server answers and every Kafka client is connected. A service without
 * consumer groups is healthy exactly then; one with groups is healthy only once they are joined, which
 * depends on the other members, so its consumers' connect time counts instead.
 */
export function connectedAndServingS(t: StartTimes): number {
  if (t.groupsConnectedS === undefined) return t.healthyS;
  return Math.max(t.servingS ?? t.healthyS, t.groupsConnectedS);
}

/** The line `pnpm stack up` prints for a service it started. */
export function describeStart(name: string, t: StartTimes): string {
  const s = (v: number) => `${v.toFixed(2)}s`;
  const groups =
    t.groupsConnectedS === undefined
      ? ''
      : `; consumer groups joined ${t.groupsJoinedS === undefined ? '(not yet)' : s(t.groupsJoinedS)}, healthy ${s(t.healthyS)}`;
  return `${name}: connected and serving ${s(connectedAndServingS(t))} after spawn${groups}`;
}
