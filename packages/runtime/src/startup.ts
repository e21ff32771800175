/**
 * Moments of this process's start, in milliseconds since the process began (performance.now()), served in
 * /health as `startup`: `pnpm stack up` prints them. A consumer group's join waits for the group's other
 * members (a rebalance), so it is reported apart from being connected.
 */
export interface StartupReport {
  /** The ops server listens. */
  readonly servingMs?: number;
  /** Per consumer group of a ConsumerLoop: connected and subscribed; then joined (partitions assigned). */
  readonly groups: Readonly<Record<string, { readonly connectedMs?: number; readonly joinedMs?: number }>>;
}

let servingMs: number | undefined;
const groups = new Map<string, { connectedMs?: number; joinedMs?: number }>();

const now = () => Math.round(performance.now());

export function noteServing(): void {
  servingMs ??= now();
}

export function noteGroup(groupId: string, milestone: 'connected' | 'joined'): void {
  const g = groups.get(groupId) ?? {};
  if (milestone === 'connected') g.connectedMs ??= now();
  else g.joinedMs ??= now();
  groups.set(groupId, g);
}

export function startupReport(): StartupReport {
  return {
    ...(servingMs === undefined ? {} : { servingMs }),
    groups: Object.fromEntries([...groups].map(([id, g]) => [id, { ...g }])),
  };
}
