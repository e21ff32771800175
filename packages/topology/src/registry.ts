import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RegistryRequestError } from './errors.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const REQUEST_TIMEOUT_MS = 10_000;
// A registry restarting (a chaos scenario, a deploy) refuses connections for a moment: the look-ups a service
// makes at start and on a new schema id try again a few times before the error reaches the caller.
const RETRY_DELAYS_MS = [100, 300, 900];

/** The registry said it does not know the subject, version or schema (404; Confluent's codes 4040x). */
export function isRegistryNotFound(e: unknown): boolean {
  return e instanceof RegistryRequestError && e.status === 404;
}

/** The two look-ups the codec makes: a topic's writer schema id, and a schema by its id. */
export interface SchemaLookup {
  /** The id under which `schema` (its canonical text) is registered in `subject`; never registers it. */
  idOf(subject: string, schema: string): Promise<number>;
  /** The text of the schema registered under `id`. */
  schemaById(id: number): Promise<string>;
}

/**
 * The Confluent schema registry's REST API, the calls this repo makes, over node:http. A client library
 * (and fetch, whose implementation Node loads on first use) cost the services a tenth of a second of start
 * for the same handful of requests.
 */
export class RegistryClient implements SchemaLookup {
  private readonly base: URL;

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  async idOf(subject: string, schema: string): Promise<number> {
    const body = (await this.request('POST', `subjects/${encodeURIComponent(subject)}`, { schema })) as {
      id?: unknown;
    };
    if (typeof body?.id !== 'number')
      throw new RegistryRequestError(`looking up ${subject}: answer has no schema id`, 200);
    return body.id;
  }

  async schemaById(id: number): Promise<string> {
    const body = (await this.request('GET', `schemas/ids/${id}`)) as { schema?: unknown };
    if (typeof body?.schema !== 'string')
      throw new RegistryRequestError(`schema id ${id}: answer has no schema`, 200);
    return body.schema;
  }

  async listSubjects(): Promise<string[]> {
    const body = await this.request('GET', 'subjects');
    if (!Array.isArray(body)) throw new RegistryRequestError('GET /subjects: unexpected answer', 200);
    return body.map(String);
  }

  /** The latest version registered under a subject, or undefined when the subject does not exist. */
  async latest(subject: string): Promise<{ schema: string; version: number } | undefined> {
    try {
      const body = (await this.request('GET', `subjects/${encodeURIComponent(subject)}/versions/latest`)) as {
        schema?: unknown;
        version?: unknown;
      };
      if (typeof body?.schema !== 'string' || typeof body.version !== 'number') {
        throw new RegistryRequestError(`latest version of ${subject}: answer has no schema or version`, 200);
      }
      return { schema: body.schema, version: body.version };
    } catch (e) {
      if (isRegistryNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The version under which a schema is registered in a subject, or undefined when it is not. */
  async versionOf(subject: string, schema: string): Promise<number | undefined> {
    try {
      const body = (await this.request('POST', `subjects/${encodeURIComponent(subject)}`, { schema })) as {
        version?: unknown;
      };
      return typeof body?.version === 'number' ? body.version : undefined;
    } catch (e) {
      if (isRegistryNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Registers a schema under a subject; the registry applies its compatibility rules and answers the id. */
  async register(subject: string, schema: string): Promise<number> {
    const body = (await this.request('POST', `subjects/${encodeURIComponent(subject)}/versions`, {
      schema,
    })) as { id?: unknown };
    if (typeof body?.id !== 'number') {
      throw new RegistryRequestError(`registering ${subject}: answer has no schema id`, 200);
    }
    return body.id;
  }

  private async request(method: string, path: string, payload?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, path, payload);
      } catch (e) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (!(e instanceof RegistryRequestError) || !e.retryable || delay === undefined) throw e;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private once(method: string, path: string, payload?: unknown): Promise<unknown> {
    const url = new URL(path, this.base);
    const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            accept: CONTENT_TYPE,
            ...(data === undefined ? {} : { 'content-type': CONTENT_TYPE, 'content-length': data.length }),
          },
        },
        (res) => {
          readAll(res).then((text) => {
            try {
              resolve(answer(method, `/${path}`, res.statusCode ?? 0, text));
            } catch (e) {
              reject(e);
            }
          }, reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (e) =>
        reject(
          new RegistryRequestError(`${method} ${url.href} failed: ${e.message}`, undefined, { cause: e }),
        ),
      );
      req.end(data);
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function answer(method: string, path: string, status: number, text: string): unknown {
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (status >= 200 && status < 300) return body;
  const err = body as { error_code?: unknown; message?: unknown } | undefined;
  const message = typeof err?.message === 'string' ? err.message : text.slice(0, 300);
  const code = typeof err?.error_code === 'number' ? err.error_code : undefined;
  throw new RegistryRequestError(
    `${method} ${path}: registry answered ${status}${code === undefined ? '' : ` (error ${code})`}: ${message}`,
    status,
    { errorCode: code },
  );
}
