import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` a URL path names, or null if it would leave `root` (`..`, encoded or not) or is not a
 * plain path. `/` and paths ending in `/` name index.html.
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

/** Hashed build output may be cached for good; everything else is checked with the server each time. */
export function cacheControl(urlPath: string): string {
  return urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * A built single-page app: files as they are, and index.html for paths without a file extension, so the
 * app's own paths (/client, /employee) survive a reload.
 */
export function staticHandler(root: string) {
  return async (req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = resolveStaticPath(root, urlPath);
    if (!path) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path');
      return;
    }
    let file = path;
    let served = urlPath;
    let info = await stat(file).catch(() => null);
    if (!info?.isFile() && extname(urlPath) === '') {
      file = join(root, 'index.html');
      served = '/index.html';
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string | number> = {
      'content-type': contentType(file),
      'content-length': info.size,
      'cache-control': cacheControl(served),
    };
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}
