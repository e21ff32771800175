import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { type DockerStats, dockerCpuPercent, dockerMemoryBytes } from './docker-stats.ts';
import {
  cpuPercent,
  type ProcStat,
  parseProcStat,
  parseVmRss,
  processKey,
  processTree,
  type TreeSample,
} from './proc.ts';
import type { ResourceFigure } from './run-file.ts';

/** Samples components' CPU and memory; each call answers the figures since the previous call. */
export interface ResourceSampler {
  sample(): Promise<Record<string, ResourceFigure>>;
}

export function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

const readText = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = readText(`/proc/${entry}/stat`);
    const s = text === undefined ? undefined : parseProcStat(text);
    if (s) out.push(s);
  }
  return out;
}

/**
 * Components as process trees from /proc: each named root pid with all its descendants (a tsx wrapper and
 * the node it spawns, PostgreSQL's postmaster and its backends). `exclude` drops pids from every tree (the
 * benchmark's own process, root of the browser's tree).
 */
export class ProcSampler implements ResourceSampler {
  private previous = new Map<string, TreeSample>();
  private readonly clk = clockTicksPerSecond();

  constructor(
    private readonly roots: () => Readonly<Record<string, number>>,
    private readonly exclude: ReadonlySet<number> = new Set(),
  ) {}

  private snapshot(): Map<string, TreeSample> {
    const stats = allStats();
    const byPid = new Map(stats.map((s) => [s.pid, s]));
    const atMs = Date.now();
    const out = new Map<string, TreeSample>();
    for (const [name, root] of Object.entries(this.roots())) {
      const ticks = new Map<string, number>();
      let rssBytes = 0;
      for (const pid of processTree(root, stats)) {
        if (this.exclude.has(pid)) continue;
        const s = byPid.get(pid);
        if (!s) continue;
        ticks.set(processKey(s), s.cpuTicks);
        rssBytes += parseVmRss(readText(`/proc/${pid}/status`) ?? '') ?? 0;
      }
      if (ticks.size > 0) out.set(name, { atMs, ticks, rssBytes });
    }
    return out;
  }

  /** Call once before the first `sample` so that one has a CPU figure to compare with. */
  prime(): void {
    this.previous = this.snapshot();
  }

  async sample(): Promise<Record<string, ResourceFigure>> {
    const now = this.snapshot();
    const out: Record<string, ResourceFigure> = {};
    for (const [name, cur] of now) {
      const before = this.previous.get(name);
      out[name] = {
        cpu: Math.round((before ? cpuPercent(before, cur, this.clk) : 0) * 10) / 10,
        rssBytes: cur.rssBytes,
      };
    }
    this.previous = now;
    return out;
  }
}

function dockerGet<T>(socketPath: string, path: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`docker ${path}: ${res.statusCode} ${body}`));
        else {
          try {
            resolve(JSON.parse(body) as T);
          } catch (e) {
            reject(e);
          }
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`docker ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

interface DockerContainer {
  readonly Id: string;
  readonly Labels?: Readonly<Record<string, string>>;
}

/**
 * The compose deployment's containers, by compose service name, from the Docker Engine stats API (its CPU
 * figure is the engine's own over its last second, as `docker stats` shows).
 */
export class DockerSampler implements ResourceSampler {
  constructor(
    private readonly socketPath: string,
    private readonly project: string | undefined,
  ) {}

  async sample(): Promise<Record<string, ResourceFigure>> {
    const label = this.project ? `com.docker.compose.project=${this.project}` : 'com.docker.compose.service';
    const filters = encodeURIComponent(JSON.stringify({ label: [label], status: ['running'] }));
    const containers = await dockerGet<DockerContainer[]>(
      this.socketPath,
      `/containers/json?filters=${filters}`,
      5_000,
    );
    const entries = await Promise.all(
      containers.map(async (c) => {
        const service = c.Labels?.['com.docker.compose.service'] ?? c.Id.slice(0, 12);
        const number = c.Labels?.['com.docker.compose.container-number'];
        const stats = await dockerGet<DockerStats>(
          this.socketPath,
          `/containers/${c.Id}/stats?stream=false`,
          10_000,
        );
        const name = number && number !== '1' ? `${service}-${number}` : service;
        return [
          name,
          {
            cpu: Math.round((dockerCpuPercent(stats) ?? 0) * 10) / 10,
            rssBytes: dockerMemoryBytes(stats) ?? 0,
          },
        ] as const;
      }),
    );
    return Object.fromEntries(entries);
  }
}

/** Figures from several samplers in one record (the compose containers plus the local browser). */
export class CombinedSampler implements ResourceSampler {
  constructor(private readonly samplers: readonly ResourceSampler[]) {}
  async sample(): Promise<Record<string, ResourceFigure>> {
    const all = await Promise.all(this.samplers.map((s) => s.sample()));
    return Object.assign({}, ...all);
  }
}
