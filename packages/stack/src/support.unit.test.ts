import { describe, expect, it } from 'vitest';
import { prefixLine, splitLines } from './follow-logs.ts';
import { javaMajor } from './kafka-fetch.ts';

describe('javaMajor', () => {
  it('reads modern and legacy version strings', () => {
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime')).toBe(17);
    expect(javaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajor('java version "1.8.0_392"')).toBe(8);
    expect(javaMajor('bash: java: command not found')).toBeUndefined();
  });
});

describe('log following', () => {
  it('emits complete lines and keeps the unfinished rest', () => {
    expect(splitLines('', 'a\nb\nc')).toEqual({ lines: ['a', 'b'], rest: 'c' });
    expect(splitLines('c', 'd\n')).toEqual({ lines: ['cd'], rest: '' });
  });
  it('prefixes lines with the part name, aligned', () => {
    expect(prefixLine('kafka-1', 15, 'started')).toBe('kafka-1         | started');
  });
});
