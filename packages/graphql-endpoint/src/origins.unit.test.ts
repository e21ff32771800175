import { describe, expect, it } from 'vitest';
import { clientAddress, inNetworks, originAllowed, parseNetworks, parseOrigins } from './origins.ts';

describe('originAllowed', () => {
  it('lets requests without an Origin through (no browser)', () => {
    expect(originAllowed(undefined, 'localhost:8181', [])).toBe(true);
  });

  it('accepts the same origin as the Host, with or without a default port', () => {
    expect(originAllowed('http://localhost:8181', 'localhost:8181', [])).toBe(true);
    expect(originAllowed('https://bank.example', 'bank.example', [])).toBe(true);
    expect(originAllowed('https://bank.example', 'Bank.Example:443', [])).toBe(true);
    expect(originAllowed('http://bank.example', 'bank.example:80', [])).toBe(true);
  });

  it('refuses a foreign origin unless listed, and odd origins always', () => {
    expect(originAllowed('https://evil.example', 'localhost:8181', [])).toBe(false);
    expect(originAllowed('http://localhost:8182', 'localhost:8181', [])).toBe(false);
    expect(originAllowed('https://app.example', 'api.example', ['https://app.example'])).toBe(true);
    expect(originAllowed('null', 'localhost:8181', [])).toBe(false);
    expect(originAllowed('file://', 'localhost:8181', [])).toBe(false);
    expect(originAllowed('https://evil.example', undefined, [])).toBe(false);
  });
});

describe('parseOrigins', () => {
  it('reads a list of origins and refuses wildcards and paths', () => {
    expect(parseOrigins('')).toEqual([]);
    expect(parseOrigins(' https://a.example , http://localhost:5173/ ')).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(() => parseOrigins('*')).toThrow(/not wildcards/);
    expect(() => parseOrigins('https://*.example')).toThrow(/not wildcards/);
    expect(() => parseOrigins('https://a.example/app')).toThrow(/list of origins/);
    expect(() => parseOrigins('a.example')).toThrow(/list of origins/);
  });
});

describe('networks and the client address', () => {
  const trusted = parseNetworks('127.0.0.1, ::1, 10.0.0.0/8, fd00::/8');

  it('matches addresses and networks of both families', () => {
    expect(inNetworks('127.0.0.1', trusted)).toBe(true);
    expect(inNetworks('::ffff:127.0.0.1', trusted)).toBe(true);
    expect(inNetworks('127.0.0.2', trusted)).toBe(false);
    expect(inNetworks('10.200.3.4', trusted)).toBe(true);
    expect(inNetworks('11.0.0.1', trusted)).toBe(false);
    expect(inNetworks('::1', trusted)).toBe(true);
    expect(inNetworks('fd12::5', trusted)).toBe(true);
    expect(inNetworks('fe80::1', trusted)).toBe(false);
    expect(inNetworks('nonsense', trusted)).toBe(false);
    expect(inNetworks('172.20.0.3', parseNetworks('172.16.0.0/12'))).toBe(true);
    expect(inNetworks('172.32.0.3', parseNetworks('172.16.0.0/12'))).toBe(false);
  });

  it('refuses malformed entries', () => {
    expect(() => parseNetworks('10.0.0.0/33')).toThrow(/IP addresses or networks/);
    expect(() => parseNetworks('proxy.local')).toThrow(/IP addresses or networks/);
    expect(() => parseNetworks('10.0.0/8')).toThrow(/IP addresses or networks/);
    expect(parseNetworks('')).toEqual([]);
  });

  it('believes X-Forwarded-For only from a trusted proxy, read from the right', () => {
    expect(clientAddress('203.0.113.9', '1.2.3.4', trusted)).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', '198.51.100.7', trusted)).toBe('198.51.100.7');
    // A client's own forged entry sits left of the address the proxy saw.
    expect(clientAddress('127.0.0.1', '1.2.3.4, 198.51.100.7', trusted)).toBe('198.51.100.7');
    // Two trusted hops (nginx behind another proxy).
    expect(clientAddress('10.0.0.5', '198.51.100.7, 10.0.0.2', trusted)).toBe('198.51.100.7');
    expect(clientAddress('::ffff:127.0.0.1', undefined, trusted)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', 'garbage', trusted)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '10.0.0.3', trusted)).toBe('10.0.0.3');
  });
});
