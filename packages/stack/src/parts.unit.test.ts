import { describe, expect, it } from 'vitest';
import { depthOf, type Part } from './parts.ts';
import { selectParts } from './stack.ts';

function part(name: string, after: string[] = []): Part {
  return {
    name,
    kind: 'daemon',
    after,
    ports: [],
    log: `${name}.log`,
    launch: () => ({ command: 'true', args: [], env: {}, cwd: '.' }),
    healthy: async () => true,
    stopSignal: 'SIGTERM',
    stopGraceMs: 1,
    startTimeoutMs: 1,
  };
}

const table = [
  part('kafka-1'),
  part('kafka-2'),
  part('postgres'),
  part('schema-registry', ['kafka-1', 'kafka-2']),
  part('synchronizer', ['kafka-1', 'kafka-2', 'schema-registry']),
  part('command-handler', ['synchronizer', 'postgres']),
];

describe('depthOf', () => {
  it('orders parts by what they wait for', () => {
    expect(Object.fromEntries(depthOf(table))).toEqual({
      'kafka-1': 0,
      'kafka-2': 0,
      postgres: 0,
      'schema-registry': 1,
      synchronizer: 2,
      'command-handler': 3,
    });
  });

  it('rejects cycles and unknown names', () => {
    expect(() => depthOf([part('a', ['b']), part('b', ['a'])])).toThrow(/cycle: a -> b -> a/);
    expect(() => depthOf([part('a', ['nope'])])).toThrow(/unknown part 'nope'/);
  });
});

describe('selectParts', () => {
  it('takes everything by default', () => {
    expect(selectParts(table, undefined).size).toBe(table.length);
  });

  it('expands groups and adds what the chosen parts need', () => {
    expect([...selectParts(table, ['kafka', 'postgres'])].sort()).toEqual(['kafka-1', 'kafka-2', 'postgres']);
    expect([...selectParts(table, ['synchronizer'])].sort()).toEqual([
      'kafka-1',
      'kafka-2',
      'schema-registry',
      'synchronizer',
    ]);
  });

  it('refuses names that are not in the table', () => {
    expect(() => selectParts(table, ['kafk'])).toThrow(/unknown part 'kafk'/);
  });
});
