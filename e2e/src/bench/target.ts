import { readFileSync } from 'node:fs';
import type { Env } from '@open-bank/config';
import { type PartStatus, portLayout, stackSettings, status, up } from '@open-bank/stack';
import { BenchTargetError } from '../errors.ts';
import { kafkaClientOf, kafkaNodesRunning, parseEnviron } from './stack-setup.ts';

/** What the benchmark drives and watches. */
export interface BenchTarget {
  readonly frontendUrl: string;
  readonly heartbeatUrl: string;
  /** Service → its Prometheus /metrics URL (consumer lag). */
  readonly metrics: Readonly<Record<string, string>>;
  /** Component → root pid, for a local stack; undefined for a remote deployment. */
  readonly pids: Readonly<Record<string, number>> | undefined;
  /** For the run file's header. */
  readonly describe: Readonly<Record<string, unknown>>;
  /** The Kafka client the services run on, when the benchmark can tell (a local stack). */
  readonly kafkaClient: string | undefined;
  /** Kafka brokers running, when the benchmark can tell (a local stack). */
  readonly brokers: number | undefined;
}

/** What the run wants the stack to run on; a local stack the benchmark starts is started so. */
export interface StackWish {
  readonly kafkaClient?: string;
  readonly brokers?: 1 | 3;
}

const SERVICES = ['heartbeat', 'command-generator', 'command-handler', 'graphql-endpoint', 'frontend'];

const notRunning = (parts: readonly PartStatus[]) =>
  parts.filter((p) => p.kind !== 'one-shot' && p.state === 'stopped').map((p) => p.name);

function environOf(pid: number): Record<string, string> | undefined {
  try {
    return parseEnviron(readFileSync(`/proc/${pid}/environ`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The local stack of a profile, started (everything, like `pnpm stack up`) when any part of it is not
 * running, with `wish.brokers` Kafka nodes and `KAFKA_CLIENT=wish.kafkaClient`. Its pids come from the
 * stack's own state. A stack already running on another client or broker count is refused: the run would
 * record what it did not run on.
 */
export async function localTarget(
  profile: string,
  portOffset: number | undefined,
  env: Env,
  log: (message: string) => void,
  startIfNeeded = true,
  wish: StackWish = {},
): Promise<BenchTarget> {
  // The stack's settings carry KAFKA_CLIENT into every service it starts, so they must see the wish.
  const upEnv = wish.kafkaClient ? { ...env, KAFKA_CLIENT: wish.kafkaClient } : env;
  const settings = stackSettings({ profile, brokers: wish.brokers, portOffset }, upEnv);
  let parts = await status(settings, { env });
  const missing = notRunning(parts);
  if (missing.length > 0 && !startIfNeeded) {
    throw new BenchTargetError(`stack ${profile}: ${missing.join(', ')} not running`);
  }
  if (missing.length > 0) {
    log(`stack ${profile}: ${missing.join(', ')} not running, starting the stack`);
    await up(settings, { env: upEnv, log });
    parts = await status(settings, { env });
    const still = notRunning(parts);
    if (still.length > 0) throw new Error(`stack ${profile}: ${still.join(', ')} still not running`);
  }
  const layout = portLayout(settings.portOffset);
  const pids: Record<string, number> = {};
  for (const p of parts) if (p.state === 'running' && p.pid !== undefined) pids[p.name] = p.pid;
  for (const s of SERVICES)
    if (pids[s] === undefined) log(`stack ${profile}: no running ${s}, no figures for it`);

  const brokers = kafkaNodesRunning(Object.keys(pids));
  const stopIt = `stop it first (pnpm stack down --profile ${profile})`;
  if (wish.brokers !== undefined && brokers !== wish.brokers)
    throw new BenchTargetError(
      `stack ${profile} runs ${brokers} Kafka broker(s), not ${wish.brokers}: ${stopIt}`,
    );
  const envs: Record<string, string | undefined> = {};
  for (const s of SERVICES.filter((s) => s !== 'frontend')) {
    const pid = pids[s];
    const e = pid === undefined ? undefined : environOf(pid);
    if (e) envs[s] = e.KAFKA_CLIENT;
  }
  const client = kafkaClientOf(envs);
  if (!client.ok)
    throw new BenchTargetError(
      `stack ${profile} runs services on different Kafka clients (${JSON.stringify(client.clients)}): ${stopIt}`,
    );
  if (wish.kafkaClient !== undefined && client.client !== undefined && client.client !== wish.kafkaClient)
    throw new BenchTargetError(
      `stack ${profile} runs on Kafka client ${client.client}, not ${wish.kafkaClient}: ${stopIt}`,
    );
  return {
    frontendUrl: `http://localhost:${layout.frontend}`,
    heartbeatUrl: `http://127.0.0.1:${layout.heartbeatControl}`,
    metrics: {
      'command-generator': `http://127.0.0.1:${layout.commandGenerator}/metrics`,
      'command-handler': `http://127.0.0.1:${layout.commandHandler}/metrics`,
      'graphql-endpoint': `http://127.0.0.1:${layout.graphql}/metrics`,
      heartbeat: `http://127.0.0.1:${layout.heartbeatControl}/metrics`,
    },
    pids,
    describe: { kind: 'local', profile, portOffset: settings.portOffset, components: Object.keys(pids) },
    kafkaClient: client.client,
    brokers: brokers > 0 ? brokers : undefined,
  };
}

/** A running deployment (e.g. docker compose) given by its URLs. */
export function remoteTarget(
  frontendUrl: string,
  heartbeatUrl: string,
  metrics: Readonly<Record<string, string>>,
  docker: { socket: string; project: string | undefined } | undefined,
): BenchTarget {
  return {
    frontendUrl,
    heartbeatUrl,
    metrics,
    pids: undefined,
    describe: {
      kind: docker ? 'compose' : 'remote',
      frontendUrl,
      heartbeatUrl,
      metrics,
      ...(docker?.project ? { composeProject: docker.project } : {}),
    },
    kafkaClient: undefined,
    brokers: undefined,
  };
}
