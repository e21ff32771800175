import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { ServiceScope } from './service-scope.ts';

const scope = () => new ServiceScope('test', createLogger('test', 'silent'));

describe('ServiceScope', () => {
  it('closes what it opened in reverse order, once', async () => {
    const s = scope();
    const closed: string[] = [];
    await s.open(
      'a',
      () => 'A',
      (r) => closed.push(r),
    );
    s.defer('b', () => closed.push('B'));
    await s.open(
      'c',
      async () => 'C',
      async (r) => closed.push(r),
    );
    expect(s.health().state).toBe('starting');
    s.ready();
    expect(s.health().state).toBe('ok');
    await Promise.all([s.stop(), s.stop()]);
    await s.stop();
    expect(closed).toEqual(['C', 'B', 'A']);
    expect(s.health().state).toBe('stopping');
  });

  it('on a failed start closes only what was opened, says failed and throws the error on', async () => {
    const s = scope();
    const closed: string[] = [];
    const started = s.start(async (sc) => {
      await sc.open(
        'ops',
        () => 'ops',
        (r) => closed.push(r),
      );
      await sc.open(
        'db',
        () => Promise.reject(new Error('db down')),
        () => closed.push('db'),
      );
      await sc.open(
        'never',
        () => 'never',
        (r) => closed.push(r),
      );
    });
    await expect(started).rejects.toThrow('db down');
    expect(closed).toEqual(['ops']);
    expect(s.health().state).toBe('failed');
  });

  it('keeps closing when one close throws', async () => {
    const s = scope();
    const closed: string[] = [];
    s.defer('a', () => closed.push('a'));
    s.defer('b', () => {
      throw new Error('b will not close');
    });
    s.defer('c', () => closed.push('c'));
    await s.stop();
    expect(closed).toEqual(['c', 'a']);
  });

  it('all(): registers every step that succeeded before throwing the first failure', async () => {
    const s = scope();
    const closed: string[] = [];
    let release: () => void = () => undefined;
    const slow = new Promise<void>((r) => {
      release = r;
    });
    const started = s.start((sc) =>
      sc.all([
        sc.open(
          'fails',
          () => Promise.reject(new Error('registry down')),
          () => closed.push('fails'),
        ),
        sc.open(
          'slow',
          () => slow.then(() => 'slow'),
          (r) => closed.push(r),
        ),
      ]),
    );
    setTimeout(release, 5);
    await expect(started).rejects.toThrow('registry down');
    expect(closed).toEqual(['slow']);
  });

  it('reports the detail, or a fatal failure', () => {
    const s = scope();
    s.describe(() => ({ subscriptions: 2 }));
    s.ready();
    expect(s.health()).toEqual({ state: 'ok', detail: { subscriptions: 2 } });
    s.fail({ error: 'consumer crashed' });
    expect(s.health()).toEqual({ state: 'failed', detail: { subscriptions: 2, error: 'consumer crashed' } });
  });
});
