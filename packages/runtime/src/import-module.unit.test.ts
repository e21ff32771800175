import { IMPORTER } from '@open-bank/build';
import { describe, expect, it } from 'vitest';
import { IMPORTER_GLOBAL, importModule } from './import-module.ts';

describe('importModule', () => {
  it('uses the global the launcher sets', () => {
    expect(IMPORTER_GLOBAL).toBe(IMPORTER);
  });

  it('imports directly without a launcher, and through it when there is one', async () => {
    expect(((await importModule('node:path')) as { sep: string }).sep).toBe('/');
    const asked: string[] = [];
    const g = globalThis as Record<string, unknown>;
    g[IMPORTER_GLOBAL] = async (s: string) => {
      asked.push(s);
      return { via: 'launcher' };
    };
    try {
      expect(await importModule('node:os')).toEqual({ via: 'launcher' });
    } finally {
      delete g[IMPORTER_GLOBAL];
    }
    expect(asked).toEqual(['node:os']);
  });
});
