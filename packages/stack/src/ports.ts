/** Where everything listens for profile `dev`; other profiles shift every port by their offset. */
export const BASE_PORTS = {
  kafka: 9092,
  schemaRegistry: 8081,
  postgres: 5433,
  graphql: 8888,
  frontend: 8181,
  heartbeatControl: 17888,
  commandGenerator: 17889,
  commandHandler: 17890,
} as const;

export type PortName = keyof typeof BASE_PORTS;
export type PortLayout = { readonly [K in PortName]: number };

/** Built-in profiles. `test` keeps the int tests off the ports of a running dev stack. */
export const PROFILE_OFFSETS: Readonly<Record<string, number>> = { dev: 0, test: 10_000 };

export const MAX_BROKERS = 3;

export function portLayout(offset: number): PortLayout {
  const out = {} as Record<PortName, number>;
  for (const [name, base] of Object.entries(BASE_PORTS) as [PortName, number][]) out[name] = base + offset;
  return out;
}

export interface KafkaNode {
  /** node.id, 1-based. */
  readonly id: number;
  readonly port: number;
  readonly controllerPort: number;
}

/** Broker n listens on kafka + 2(n-1) and its controller on the port right above. */
export function kafkaNodes(layout: PortLayout, brokers: number): KafkaNode[] {
  return Array.from({ length: brokers }, (_, i) => {
    const port = layout.kafka + 2 * i;
    return { id: i + 1, port, controllerPort: port + 1 };
  });
}

/** Every port a stack of this layout may listen on (embedded PostgreSQL included), for conflict checks. */
export function allPorts(layout: PortLayout, brokers: number): number[] {
  const kafka = kafkaNodes(layout, brokers).flatMap((n) => [n.port, n.controllerPort]);
  const others = (Object.keys(BASE_PORTS) as PortName[]).filter((k) => k !== 'kafka').map((k) => layout[k]);
  return [...kafka, ...others];
}

/**
 * Linux's default range for the source ports of outgoing connections (net.ipv4.ip_local_port_range). A part
 * listening inside it can fail to start again after a restart: while it is down, a client on the same host
 * that keeps reconnecting to its port may be given that very port as its own source port (a TCP
 * self-connect) and hold it, so the part meets "address already in use". Seen twice in chaos runs.
 */
export const EPHEMERAL_PORTS = { from: 32_768, to: 60_999 } as const;

/** The largest port offset that keeps every port of a three-broker stack below the ephemeral range. */
export const MAX_PORT_OFFSET = EPHEMERAL_PORTS.from - 1 - Math.max(...allPorts(portLayout(0), MAX_BROKERS));

/**
 * Problems with a layout: ports out of range, overlapping (e.g. an offset that pushes past 65535), or in the
 * ephemeral range above.
 */
export function layoutProblems(layout: PortLayout, brokers: number): string[] {
  const problems: string[] = [];
  const seen = new Map<number, number>();
  const ephemeral: number[] = [];
  for (const p of allPorts(layout, brokers)) {
    if (p < 1 || p > 65_535) problems.push(`port ${p} is out of range`);
    else if (p >= EPHEMERAL_PORTS.from && p <= EPHEMERAL_PORTS.to) ephemeral.push(p);
    seen.set(p, (seen.get(p) ?? 0) + 1);
  }
  if (ephemeral.length > 0)
    problems.push(
      `port${ephemeral.length > 1 ? 's' : ''} ${ephemeral.join(', ')} in the ephemeral range ${EPHEMERAL_PORTS.from}-${EPHEMERAL_PORTS.to} (a restarted part may find its port taken); use a port offset that keeps every port below ${EPHEMERAL_PORTS.from}`,
    );
  for (const [p, n] of seen) if (n > 1) problems.push(`port ${p} is used twice`);
  return problems;
}
