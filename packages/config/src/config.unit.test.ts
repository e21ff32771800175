import { describe, expect, it } from 'vitest';
import { envVar, parseConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { hostPortList, httpUrl, integer, namedUrlList, oneOf, port, text } from './parsers.ts';

const spec = {
  brokers: envVar('KAFKA_BROKERS', hostPortList(), { default: 'localhost:9092' }),
  registry: envVar('SCHEMA_REGISTRY_URL', httpUrl(), { default: 'http://localhost:8081' }),
  dbPort: envVar('DB_PORT', port(), { default: '5432' }),
  name: envVar('NAME', text()),
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => p.variable);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies defaults for unset variables and parses set ones', () => {
    const cfg = parseConfig(spec, { NAME: 'x', DB_PORT: '15432', KAFKA_BROKERS: 'a:1, b:2' });
    expect(cfg).toEqual({
      brokers: ['a:1', 'b:2'],
      registry: 'http://localhost:8081',
      dbPort: 15432,
      name: 'x',
    });
  });

  it('names every bad variable in one error', () => {
    expect(problemsOf(() => parseConfig(spec, { KAFKA_BROKERS: '', DB_PORT: 'abc' }))).toEqual([
      'KAFKA_BROKERS',
      'DB_PORT',
      'NAME',
    ]);
  });

  it('puts the variable name and the reason in the message', () => {
    expect(() => parseConfig(spec, { NAME: 'x', DB_PORT: '70000' })).toThrow(
      /DB_PORT: must be a port number/,
    );
    expect(() => parseConfig(spec, { NAME: 'x', KAFKA_BROKERS: '' })).toThrow(
      /KAFKA_BROKERS: must be a comma-separated/,
    );
  });
});

describe('parsers', () => {
  it('rejects broker entries without a port', () => {
    expect(() => hostPortList()('localhost')).toThrow(/host:port/);
    expect(hostPortList()('[::1]:9092')).toEqual(['[::1]:9092']);
  });
  it('bounds integers', () => {
    expect(integer({ min: 0, max: 10 })('10')).toBe(10);
    expect(() => integer({ min: 0, max: 10 })('11')).toThrow(/0 to 10/);
    expect(() => integer()('1.5')).toThrow(/whole number/);
  });
  it('accepts only listed values', () => {
    expect(oneOf(['a', 'b'])('b')).toBe('b');
    expect(() => oneOf(['a', 'b'])('c')).toThrow(/one of a, b/);
  });
  it('strips trailing slashes from URLs and refuses other schemes', () => {
    expect(httpUrl()('http://h:1/')).toBe('http://h:1');
    expect(() => httpUrl()('ftp://h')).toThrow(/http/);
  });
  it('reads name=url pairs, none when empty, and names a bad pair', () => {
    expect(namedUrlList()('')).toEqual([]);
    expect(namedUrlList()('a=http://h:1/metrics, b-2=https://x/')).toEqual([
      { name: 'a', url: 'http://h:1/metrics' },
      { name: 'b-2', url: 'https://x' },
    ]);
    expect(() => namedUrlList()('a=http://h,a=http://i')).toThrow(/names a twice/);
    expect(() => namedUrlList()('http://h')).toThrow(/name=url pairs, got 'http:\/\/h'/);
    expect(() => namedUrlList()('a=ftp://h')).toThrow(/http/);
    expect(() => namedUrlList({ max: 1 })('a=http://h,b=http://i')).toThrow(/at most 1/);
  });
});
