/** A parser turns the raw text of one variable into a value, or throws an Error whose message says why not. */
export type Parser<T> = (raw: string) => T;

export function text(options: { min?: number; max?: number; pattern?: RegExp } = {}): Parser<string> {
  const { min = 1, max = 10_000, pattern } = options;
  return (raw) => {
    if (raw.length < min)
      throw new Error(min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
    if (raw.length > max) throw new Error(`must be at most ${max} characters`);
    if (pattern && !pattern.test(raw)) throw new Error(`must match ${pattern}, got '${raw}'`);
    return raw;
  };
}

export function integer(options: { min?: number; max?: number } = {}): Parser<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  return (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be a whole number, got '${raw}'`);
    const n = Number(raw.trim());
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(`must be a whole number from ${min} to ${max}, got '${raw}'`);
    }
    return n;
  };
}

export function port(): Parser<number> {
  const parse = integer({ min: 1, max: 65_535 });
  return (raw) => {
    try {
      return parse(raw);
    } catch {
      throw new Error(`must be a port number from 1 to 65535, got '${raw}'`);
    }
  };
}

export function boolean(): Parser<boolean> {
  return (raw) => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error(`must be true or false, got '${raw}'`);
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    if ((values as readonly string[]).includes(raw)) return raw as T;
    throw new Error(`must be one of ${values.join(', ')}, got '${raw}'`);
  };
}

export function httpUrl(): Parser<string> {
  return (raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`must be an http(s) URL, got '${raw}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`must be an http(s) URL, got '${raw}'`);
    }
    return raw.replace(/\/+$/, '');
  };
}

const HOST_PORT = /^[A-Za-z0-9.-]+:(\d{1,5})$|^\[[0-9A-Fa-f:]+\]:(\d{1,5})$/;

/** A comma-separated list of host:port, as Kafka clients take their bootstrap servers. */
export function hostPortList(): Parser<string[]> {
  return (raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (items.length === 0)
      throw new Error('must be a comma-separated list of host:port, got an empty value');
    for (const item of items) {
      const m = HOST_PORT.exec(item);
      const p = Number(m?.[1] ?? m?.[2]);
      if (!m || p < 1 || p > 65_535)
        throw new Error(`must be a comma-separated list of host:port, got '${item}'`);
    }
    return items;
  };
}

/**
 * Comma-separated `name=url` pairs, e.g. `heartbeat=http://heartbeat:17888/metrics`; empty means none.
 * Names are unique and kebab-case, URLs http(s).
 */
export function namedUrlList(options: { max?: number } = {}): Parser<{ name: string; url: string }[]> {
  const { max = 32 } = options;
  const url = httpUrl();
  return (raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (items.length > max) throw new Error(`must list at most ${max} name=url pairs, got ${items.length}`);
    const seen = new Set<string>();
    return items.map((item) => {
      const m = /^([a-z0-9][a-z0-9-]*)=(.+)$/.exec(item);
      if (!m) throw new Error(`must be comma-separated name=url pairs, got '${item}'`);
      const name = m[1] as string;
      if (seen.has(name)) throw new Error(`names ${name} twice`);
      seen.add(name);
      return { name, url: url(m[2] as string) };
    });
  };
}
