import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Headers that describe one connection, not the message: never passed on by a proxy (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The headers without hop-by-hop ones, including those the Connection header lists. */
export function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export interface ClientInfo {
  readonly remoteAddress: string | undefined;
  readonly encrypted: boolean;
}

/** A request's headers for the upstream: end-to-end ones plus the usual X-Forwarded-* (appended to a chain). */
export function forwardedRequestHeaders(
  headers: IncomingHttpHeaders,
  client: ClientInfo,
): OutgoingHttpHeaders {
  const out = endToEnd(headers);
  const prior = headers['x-forwarded-for'];
  const chain = [...(Array.isArray(prior) ? prior : prior ? [prior] : []), client.remoteAddress ?? 'unknown'];
  out['x-forwarded-for'] = chain.join(', ');
  out['x-forwarded-proto'] = headers['x-forwarded-proto'] ?? (client.encrypted ? 'https' : 'http');
  if (headers.host && !headers['x-forwarded-host']) out['x-forwarded-host'] = headers.host;
  return out;
}

/** The same for a WebSocket handshake, which must keep its Connection: Upgrade and Upgrade headers. */
export function upgradeRequestHeaders(headers: IncomingHttpHeaders, client: ClientInfo): OutgoingHttpHeaders {
  return {
    ...forwardedRequestHeaders(headers, client),
    connection: 'Upgrade',
    upgrade: headers.upgrade ?? 'websocket',
  };
}

/** A status line and header block as raw HTTP/1.1, for writing a response straight onto a socket. */
export function rawResponseHead(status: number, message: string, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${message}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}
