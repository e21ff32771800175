// nginx/nginx.conf, the frontend server of the Docker demo, checked with the real nginx (Debian's, which
// .ci/run installs): `nginx -t`, then a run against a stand-in GraphQL endpoint on loopback. The copy
// under test differs only in its paths and addresses: a temp directory instead of /tmp and the image's
// html folder, a free port instead of 8181, and 127.0.0.1 instead of the compose host graphql-endpoint.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SECURITY_HEADERS } from '@open-bank/frontend-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { REPO_ROOT } from './repo.ts';

function findNginx(): string | undefined {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/local/nginx/sbin',
  ];
  return dirs.map((d) => join(d, 'nginx')).find((p) => existsSync(p));
}

const NGINX = findNginx();
if (!NGINX) {
  // CI installs nginx (.ci/run), so there a missing nginx is a failure, not a skip.
  if (process.env.CI)
    throw new Error('nginx is not installed: .ci/run installs it (apt-get install nginx-light)');
  process.stderr.write('nginx.int.test.ts: SKIPPED — nginx is not installed (apt-get install nginx-light)\n');
}

const CONFIG = readFileSync(join(REPO_ROOT, 'nginx', 'nginx.conf'), 'utf8');

/** Replaces `from` (which must be there, so a changed config fails here rather than going untested). */
function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`nginx/nginx.conf no longer contains "${from}"`);
  return text.split(from).join(to);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

describe.skipIf(!NGINX)('nginx/nginx.conf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'open-bank-nginx-'));
  const conf = join(dir, 'nginx.conf');
  let nginx: ChildProcess | undefined;
  let upstream: Server | undefined;
  let sockets: WebSocketServer | undefined;
  let base = '';
  let nginxOutput = '';
  const seen: Seen[] = [];

  beforeAll(async () => {
    // As root (CI), nginx's workers run as an unprivileged user that must read the files.
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'html', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'html', 'index.html'), '<!doctype html><title>bank</title><div id="root"></div>');
    writeFileSync(join(dir, 'html', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'html', 'assets', 'index-AbC123.js'), 'console.log("bank");\n'.repeat(200));

    // The stand-in endpoint: answers what it was asked, and echoes graphql-ws messages.
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { echo: body } }));
      });
    });
    sockets = new WebSocketServer({
      server: upstream,
      path: '/graphql',
      handleProtocols: (protocols) =>
        protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false,
    });
    sockets.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${data}`)));
    await new Promise<void>((resolve) => upstream?.listen(0, '127.0.0.1', resolve));
    const address = upstream.address();
    const upstreamPort = typeof address === 'object' && address ? address.port : 0;

    const port = await freePort();
    let text = swap(CONFIG, '/tmp/', `${dir}/`);
    text = swap(text, 'listen 8181;', `listen 127.0.0.1:${port};`);
    text = swap(text, 'root /usr/share/nginx/html;', `root ${dir}/html;`);
    text = swap(text, 'graphql-endpoint:8888', `127.0.0.1:${upstreamPort}`);
    writeFileSync(conf, text);
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (nginx?.exitCode === null) {
      const exited = new Promise((resolve) => nginx?.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    sockets?.close();
    await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes nginx -t', () => {
    const result = spawnSync(NGINX as string, ['-t', '-p', dir, '-c', conf, '-e', 'stderr'], {
      encoding: 'utf8',
    });
    expect(result.stderr).toContain('syntax is ok');
    expect(result.status).toBe(0);
  });

  it('starts and answers /health', async () => {
    nginx = spawn(NGINX as string, ['-p', dir, '-c', conf, '-e', 'stderr', '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stderr?.on('data', (d) => {
      nginxOutput += d;
    });
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && nginx.exitCode === null) {
      status = await fetch(`${base}/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status, `nginx did not answer: ${nginxOutput}`).toBe(200);
  });

  it('serves the app at / and at every view path, never cached stale', async () => {
    for (const path of ['/', '/client', '/employee/NL66OPEN0000000000']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it('serves hashed assets as immutable, compressed, and missing files as 404 rather than the app', async () => {
    const asset = await fetch(`${base}/assets/index-AbC123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect((await fetch(`${base}/favicon.svg`)).headers.get('content-type')).toContain('image/svg+xml');
    for (const path of ['/assets/index-Gone99.js', '/bench-results.json']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
  });

  it('passes GraphQL over HTTP to the endpoint, without an upgrade', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/graphql?op=x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ all_last_transactions { iban } }"}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { echo: '{"query":"{ all_last_transactions { iban } }"}' } });
    const request = seen[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/graphql?op=x');
    expect(request?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(request?.headers.host).toBe(new URL(base).host);
    expect(request?.headers.upgrade).toBeUndefined();
    expect(request?.headers.connection).toBeUndefined();
  });

  it('passes graphql-ws WebSocket subscriptions through, both ways', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send('{"type":"connection_init"}'));
      ws.once('message', (data) => resolve(String(data)));
    });
    expect(ws.protocol).toBe('graphql-transport-ws');
    expect(reply).toBe('echo {"type":"connection_init"}');
    ws.close();
  });

  it("sends the local frontend server's security headers on every answer, the app, files, errors and /graphql", async () => {
    for (const path of [
      '/',
      '/client',
      '/assets/index-AbC123.js',
      '/favicon.svg',
      '/bench-results.json',
      '/graphql',
    ]) {
      const res = await fetch(`${base}${path}`, path === '/graphql' ? { method: 'POST', body: '{}' } : {});
      await res.arrayBuffer();
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(res.headers.get(name), `${name} on ${path}`).toBe(value);
      }
    }
    // /graphql answers are not marked cacheable or revalidated by nginx.
    const gql = await fetch(`${base}/graphql`, { method: 'POST', body: '{}' });
    expect(gql.headers.get('cache-control')).toBeNull();
  });

  it('keeps quiet subscriptions open far longer than the default minute', () => {
    const proxy = /location \^~ \/graphql \{([^}]*)\}/.exec(CONFIG)?.[1] ?? '';
    expect(proxy).toMatch(/proxy_read_timeout 1h;/);
    expect(proxy).toMatch(/proxy_http_version 1\.1;/);
  });
});
