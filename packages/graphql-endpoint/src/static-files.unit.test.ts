import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentType, resolveStaticPath } from './static-files.ts';

const root = join('/srv', 'app');

describe('resolveStaticPath', () => {
  it('maps paths under the root, and directories to index.html', () => {
    expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/app-1234.js')).toBe(join(root, 'assets', 'app-1234.js'));
    expect(resolveStaticPath(root, '/docs/')).toBe(join(root, 'docs', 'index.html'));
    expect(resolveStaticPath(root, '/a%20b.txt')).toBe(join(root, 'a b.txt'));
  });

  it.each([
    '/../etc/passwd',
    '/assets/../../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/..%2fetc',
    '/a\\..\\b',
    '/%00',
    '/%E0%A4%A',
  ])('refuses %s', (path) => {
    expect(resolveStaticPath(root, path)).toBeNull();
  });
});

describe('contentType', () => {
  it('knows the types of a built frontend', () => {
    expect(contentType('index.html')).toBe('text/html; charset=utf-8');
    expect(contentType('x/app.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentType('font.woff2')).toBe('font/woff2');
    expect(contentType('blob')).toBe('application/octet-stream');
  });
});
