import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheControl, contentType, resolveStaticPath } from './static-files.ts';

const ROOT = join('/srv', 'app');

describe('resolveStaticPath', () => {
  it('maps URL paths into the root, index.html for directories', () => {
    expect(resolveStaticPath(ROOT, '/')).toBe(join(ROOT, 'index.html'));
    expect(resolveStaticPath(ROOT, '/assets/index-abc.js')).toBe(join(ROOT, 'assets', 'index-abc.js'));
    expect(resolveStaticPath(ROOT, '/client')).toBe(join(ROOT, 'client'));
  });

  it('refuses to leave the root, encoded or not', () => {
    expect(resolveStaticPath(ROOT, '/../etc/passwd')).toBeNull();
    expect(resolveStaticPath(ROOT, '/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveStaticPath(ROOT, '/assets/..%2f..%2fsecret')).toBeNull();
    expect(resolveStaticPath(ROOT, '/a%00b')).toBeNull();
    expect(resolveStaticPath(ROOT, '/%E0%A4%A')).toBeNull();
  });
});

describe('headers of static files', () => {
  it('caches only the hashed build output for long', () => {
    expect(cacheControl('/assets/index-abc.js')).toMatch(/immutable/);
    expect(cacheControl('/index.html')).toBe('no-cache');
    expect(cacheControl('/bench-results.json')).toBe('no-cache');
  });

  it('names the content types the build produces', () => {
    expect(contentType('a/index.html')).toMatch(/^text\/html/);
    expect(contentType('x.JS')).toMatch(/^text\/javascript/);
    expect(contentType('favicon.svg')).toBe('image/svg+xml');
    expect(contentType('blob')).toBe('application/octet-stream');
  });
});
