import { isIP } from 'node:net';

/**
 * Which browser origins may call the endpoint. A request without an Origin header is no browser's
 * cross-site request (curl, the tests, a server): it passes. A browser's request passes when its Origin is
 * the endpoint's own (same host as the Host header the browser sent, which the frontend server and nginx
 * pass on unchanged) or one of ALLOWED_ORIGINS.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // 'null' (sandboxed frames, file:) and anything malformed
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return host !== undefined && url.host === normalHost(host, url.protocol);
}

/** The Host header as URL.host spells it: lower case, without the scheme's default port. */
function normalHost(host: string, protocol: string): string {
  const h = host.trim().toLowerCase();
  const defaultPort = protocol === 'https:' ? ':443' : ':80';
  return h.endsWith(defaultPort) ? h.slice(0, -defaultPort.length) : h;
}

/** Parses ALLOWED_ORIGINS: a comma-separated list of origins (scheme://host[:port]); no wildcard. */
export function parseOrigins(raw: string): string[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return items.map((item) => {
    if (item.includes('*')) throw new Error(`must list origins, not wildcards, got '${item}'`);
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new Error(`must be a comma-separated list of origins like https://bank.example, got '${item}'`);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== item.replace(/\/$/, '')) {
      throw new Error(`must be a comma-separated list of origins like https://bank.example, got '${item}'`);
    }
    return url.origin;
  });
}

/** An address or a network (a.b.c.d/n, or an IPv6 address with /n). */
export interface Network {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

function addressBytes(address: string): Uint8Array | undefined {
  // IPv4 seen through an IPv6 socket, as Node reports it on a dual-stack listener.
  const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const kind = isIP(a);
  if (kind === 4) return Uint8Array.from(a.split('.').map(Number));
  if (kind !== 6) return undefined;
  const [head = '', tail] = a.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

/** Parses TRUSTED_PROXIES: comma-separated addresses and networks (CIDR) whose X-Forwarded-For is believed. */
export function parseNetworks(raw: string): Network[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((item) => {
      const [address = '', prefix] = item.split('/');
      const bytes = address.includes('.') && address.includes(':') ? undefined : addressBytes(address);
      const max = bytes?.length === 4 ? 32 : 128;
      const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
      if (!bytes || !(bits >= 0 && bits <= max)) {
        throw new Error(
          `must be a comma-separated list of IP addresses or networks (10.0.0.0/8), got '${item}'`,
        );
      }
      return { bytes, bits };
    });
}

export function inNetworks(address: string, networks: readonly Network[]): boolean {
  const bytes = addressBytes(address);
  if (!bytes) return false;
  return networks.some((n) => {
    if (n.bytes.length !== bytes.length) return false;
    for (let bit = 0; bit < n.bits; bit += 8) {
      const mask = n.bits - bit >= 8 ? 0xff : (0xff << (8 - (n.bits - bit))) & 0xff;
      if (((n.bytes[bit / 8] ?? 0) & mask) !== ((bytes[bit / 8] ?? 0) & mask)) return false;
    }
    return true;
  });
}

/**
 * The client's address, for per-client limits. Behind a trusted proxy (the frontend server, nginx) every
 * request comes from the proxy's address, so its X-Forwarded-For is read from the right: each hop that is a
 * trusted proxy is skipped, and the first that is not is the client. From anyone else the header is ignored,
 * since a client can write whatever it likes there.
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: readonly Network[],
): string {
  const remote = unmapped(remoteAddress ?? 'unknown');
  if (!inNetworks(remote, trusted) || forwardedFor === undefined) return remote;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((s) => unmapped(s.trim()))
    .filter((s) => s.length > 0);
  let client = remote;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (isIP(hop) === 0) break; // garbage: stop at the last address known to be real
    client = hop;
    if (!inNetworks(hop, trusted)) break;
  }
  return client;
}

function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
