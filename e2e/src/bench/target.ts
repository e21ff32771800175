import type { Env } from '@open-bank/config';
import { type PartStatus, portLayout, stackSettings, status, up } from '@open-bank/stack';
import { BenchTargetError } from '../errors.ts';

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
}

const SERVICES = ['heartbeat', 'command-generator', 'command-handler', 'graphql-endpoint', 'frontend'];

const notRunning = (parts: readonly PartStatus[]) =>
  parts.filter((p) => p.kind !== 'one-shot' && p.state === 'stopped').map((p) => p.name);

/**
 * The local stack of a profile, started (everything, like `pnpm stack up`) when any part of it is not
 * running. Its pids come from the stack's own state.
 */
export async function localTarget(
  profile: string,
  portOffset: number | undefined,
  env: Env,
  log: (message: string) => void,
  startIfNeeded = true,
): Promise<BenchTarget> {
  const settings = stackSettings({ profile, brokers: undefined, portOffset }, env);
  let parts = await status(settings, { env });
  const missing = notRunning(parts);
  if (missing.length > 0 && !startIfNeeded) {
    throw new BenchTargetError(`stack ${profile}: ${missing.join(', ')} not running`);
  }
  if (missing.length > 0) {
    log(`stack ${profile}: ${missing.join(', ')} not running, starting the stack`);
    await up(settings, { env, log });
    parts = await status(settings, { env });
    const still = notRunning(parts);
    if (still.length > 0) throw new Error(`stack ${profile}: ${still.join(', ')} still not running`);
  }
  const layout = portLayout(settings.portOffset);
  const pids: Record<string, number> = {};
  for (const p of parts) if (p.state === 'running' && p.pid !== undefined) pids[p.name] = p.pid;
  for (const s of SERVICES)
    if (pids[s] === undefined) log(`stack ${profile}: no running ${s}, no figures for it`);
  return {
    frontendUrl: `http://localhost:${layout.frontend}`,
    heartbeatUrl: `http://127.0.0.1:${layout.heartbeatControl}`,
    metrics: {
      'command-generator': `http://127.0.0.1:${layout.commandGenerator}/metrics`,
      'command-handler': `http://127.0.0.1:${layout.commandHandler}/metrics`,
      'graphql-endpoint': `http://127.0.0.1:${layout.graphql}/metrics`,
    },
    pids,
    describe: { kind: 'local', profile, portOffset: settings.portOffset, components: Object.keys(pids) },
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
  };
}
