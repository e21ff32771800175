import { describe, expect, it } from 'vitest';
import { endToEnd, forwardedRequestHeaders, rawResponseHead, upgradeRequestHeaders } from './headers.ts';

const client = { remoteAddress: '10.0.0.7', encrypted: false };

describe('proxy headers', () => {
  it('drops hop-by-hop headers and those the Connection header names', () => {
    expect(
      endToEnd({
        connection: 'keep-alive, x-private',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'x-private': '1',
        'content-type': 'application/json',
      }),
    ).toEqual({ 'content-type': 'application/json' });
  });

  it('adds X-Forwarded-* and extends an existing chain', () => {
    const h = forwardedRequestHeaders({ host: 'localhost:8181', 'x-forwarded-for': '192.168.1.2' }, client);
    expect(h['x-forwarded-for']).toBe('192.168.1.2, 10.0.0.7');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('localhost:8181');
    expect(h.host).toBe('localhost:8181');
  });

  it('keeps the handshake headers of a WebSocket upgrade', () => {
    const h = upgradeRequestHeaders(
      {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': 'abc',
        'sec-websocket-protocol': 'graphql-transport-ws',
      },
      client,
    );
    expect(h).toMatchObject({
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-key': 'abc',
      'sec-websocket-protocol': 'graphql-transport-ws',
    });
  });

  it('writes a raw response head', () => {
    expect(
      rawResponseHead(101, 'Switching Protocols', ['Upgrade', 'websocket', 'Connection', 'Upgrade']),
    ).toBe('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  });
});
