// The bank's services as chaos runs them: its own child processes, started from the stack's parts table
// (same bundles, environment and ports as `pnpm stack up`), so it can kill and restart them at will and
// run several command-handler instances.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildParts, httpOk, type Part, type StackContext } from '@open-bank/stack';

export const SERVICES = ['heartbeat', 'command-generator', 'graphql-endpoint', 'command-handler'] as const;
export type ServiceName = (typeof SERVICES)[number];

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly healthUrl: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export class Services {
  private readonly running = new Map<string, Running>();
  private readonly ports = new Map<number, number>();

  constructor(
    private readonly ctx: StackContext,
    private readonly startTimeoutMs = 90_000,
  ) {}

  private part(name: ServiceName): Part {
    const part = buildParts(this.ctx).find((p) => p.name === name);
    if (!part || part.skip)
      throw new Error(`the stack has no service ${name}${part?.skip ? `: ${part.skip}` : ''}`);
    return part;
  }

  /** Builds the bundles that are out of date, once, before anything is timed. */
  async prepare(): Promise<void> {
    for (const name of SERVICES) await this.part(name).prepare?.();
  }

  isRunning(name: ServiceName, instance = 0): boolean {
    return this.running.has(`${name}#${instance}`);
  }

  /** Instances of the command handler now running. */
  handlerInstances(): number[] {
    return [...this.running.keys()]
      .filter((k) => k.startsWith('command-handler#'))
      .map((k) => Number(k.split('#')[1]))
      .sort((a, b) => a - b);
  }

  /**
   * Starts a service; resolves with the time it was spawned once it is healthy. Command-handler instances
   * other than 0 get their own port and name; instance 0 runs exactly as the stack runs it.
   */
  async start(name: ServiceName, instance = 0): Promise<number> {
    const key = `${name}#${instance}`;
    if (this.running.has(key)) throw new Error(`${key} is already running`);
    const part = this.part(name);
    const launch = part.launch();
    const env: Record<string, string> = { ...launch.env };
    let healthUrl = `http://127.0.0.1:${part.ports[0]}/health`;
    let log = part.log;
    if (name === 'command-handler' && instance > 0) {
      let port = this.ports.get(instance);
      if (port === undefined) {
        port = await freePort();
        this.ports.set(instance, port);
      }
      env.COMMAND_HANDLER_PORT = String(port);
      env.COMMAND_HANDLER_INSTANCE = String(instance);
      healthUrl = `http://127.0.0.1:${port}/health`;
      log = this.ctx.paths.log(`command-handler-${instance}`);
    }
    const fd = openSync(log, 'a');
    let child: ChildProcess;
    try {
      child = spawn(launch.command, [...launch.args], { cwd: launch.cwd, env, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const spawnedAt = Date.now();
    let gone = false;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        gone = true;
        this.running.delete(key);
        resolve();
      });
      child.once('error', () => resolve());
    });
    this.running.set(key, { child, exited, healthUrl });
    const healthy = httpOk(healthUrl);
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (gone) throw new Error(`${key} exited while starting (log: ${log})`);
      if (await healthy()) return spawnedAt;
      if (Date.now() > deadline)
        throw new Error(`${key} not healthy within ${this.startTimeoutMs / 1000} s (log: ${log})`);
      await sleep(50);
    }
  }

  /** SIGKILL, as in a crash; resolves once the process is gone. */
  async kill(name: ServiceName, instance = 0): Promise<void> {
    await this.signal(name, instance, 'SIGKILL', 10_000);
  }

  /** SIGTERM and wait for the graceful stop (SIGKILL after 20 s). */
  async stop(name: ServiceName, instance = 0): Promise<void> {
    await this.signal(name, instance, 'SIGTERM', 20_000);
  }

  private async signal(name: ServiceName, instance: number, sig: NodeJS.Signals, graceMs: number) {
    const r = this.running.get(`${name}#${instance}`);
    if (!r) throw new Error(`${name}#${instance} is not running`);
    r.child.kill(sig);
    const timer = setTimeout(() => r.child.kill('SIGKILL'), graceMs);
    await r.exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.running.values()].map(async (r) => {
        r.child.kill('SIGTERM');
        const timer = setTimeout(() => r.child.kill('SIGKILL'), 20_000);
        await r.exited;
        clearTimeout(timer);
      }),
    );
  }
}
