import { RegistryRequestError } from './errors.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const REQUEST_TIMEOUT_MS = 10_000;
// Confluent's "subject not found", "version not found" and "schema not found".
const NOT_FOUND_CODES = new Set([40401, 40402, 40403]);

function isNotFound(e: unknown): boolean {
  return e instanceof RegistryRequestError && e.errorCode !== undefined && NOT_FOUND_CODES.has(e.errorCode);
}

/** The few registry calls the synchronizer needs, over plain HTTP as Confluent documents them. */
export class RegistryClient {
  constructor(private readonly baseUrl: string) {}

  async listSubjects(): Promise<string[]> {
    const body = await this.request('GET', '/subjects');
    if (!Array.isArray(body)) throw new RegistryRequestError(`GET /subjects: unexpected answer`, 200);
    return body.map(String);
  }

  /** The latest version registered under a subject, or undefined when the subject does not exist. */
  async latest(subject: string): Promise<{ schema: string; version: number } | undefined> {
    try {
      const body = (await this.request(
        'GET',
        `/subjects/${encodeURIComponent(subject)}/versions/latest`,
      )) as {
        schema?: unknown;
        version?: unknown;
      };
      if (typeof body.schema !== 'string' || typeof body.version !== 'number') {
        throw new RegistryRequestError(`latest version of ${subject}: answer has no schema or version`, 200);
      }
      return { schema: body.schema, version: body.version };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The version under which a schema is registered in a subject, or undefined when it is not. */
  async versionOf(subject: string, schema: string): Promise<number | undefined> {
    try {
      const body = (await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, { schema })) as {
        version?: unknown;
      };
      return typeof body.version === 'number' ? body.version : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Registers a schema under a subject; the registry applies its compatibility rules and answers the id. */
  async register(subject: string, schema: string): Promise<number> {
    const body = (await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema,
    })) as { id?: unknown };
    if (typeof body.id !== 'number') {
      throw new RegistryRequestError(`registering ${subject}: answer has no schema id`, 200);
    }
    return body.id;
  }

  private async request(method: string, path: string, payload?: unknown): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: CONTENT_TYPE, ...(payload === undefined ? {} : { 'content-type': CONTENT_TYPE }) },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      const reason =
        e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      throw new RegistryRequestError(`${method} ${url} failed: ${reason}`, undefined, { cause: e });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const err = body as { error_code?: unknown; message?: unknown } | undefined;
      const message = typeof err?.message === 'string' ? err.message : text.slice(0, 300);
      const code = typeof err?.error_code === 'number' ? err.error_code : undefined;
      throw new RegistryRequestError(
        `${method} ${path}: registry answered ${response.status}${code === undefined ? '' : ` (error ${code})`}: ${message}`,
        response.status,
        { errorCode: code },
      );
    }
    return body;
  }
}
