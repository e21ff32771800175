import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` a URL path names, or null when it would leave `root` (`..`, encoded or not) or is
 * not a plain path. `/` and paths ending in `/` name index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return null;
  if (decoded.split('/').includes('..')) return null;
  const relative = normalize(decoded.endsWith('/') ? `${decoded}index.html` : decoded).replace(/^\/+/, '');
  const base = normalize(root);
  const full = join(base, relative);
  if (full !== base && !full.startsWith(base.endsWith(sep) ? base : base + sep)) return null;
  return full;
}

/**
 * A small static handler for a built single-page app: files as they are, and index.html for paths without
 * a file extension so client-side routes survive a reload. Hashed assets may be cached for long.
 */
export function staticHandler(root: string) {
  return async (req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = resolveStaticPath(root, urlPath);
    if (!path) {
      res.writeHead(400).end();
      return;
    }
    let file = path;
    let info = await stat(file).catch(() => null);
    if (!info?.isFile() && extname(urlPath) === '') {
      file = join(root, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': contentType(file),
      'content-length': info.size,
      'cache-control': file.includes(`${sep}assets${sep}`)
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}
