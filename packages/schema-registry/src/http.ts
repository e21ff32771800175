import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Api, ApiResponse } from './api.ts';
import { apiErrors } from './errors.ts';
import type { Logger } from './logger.ts';

export const RESPONSE_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

const ACCEPTED_BODY_TYPES = new Set([
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  // Confluent also takes untyped bodies (its GENERIC_REQUEST media type).
  'application/octet-stream',
]);

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export type BodyResult = { ok: true; body: unknown } | { ok: false; response: ApiResponse };

function errorOf(error: { status: number; errorCode: number; message: string }): ApiResponse {
  return { status: error.status, json: { error_code: error.errorCode, message: error.message } };
}

/** Interprets a request body by its Content-Type; pure so that the rules are unit-tested. */
export function parseBody(contentType: string | undefined, raw: string): BodyResult {
  if (raw.trim() === '') return { ok: true, body: undefined };
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== undefined && mediaType !== '' && !ACCEPTED_BODY_TYPES.has(mediaType)) {
    return { ok: false, response: errorOf(apiErrors.unsupportedMediaType()) };
  }
  try {
    return { ok: true, body: JSON.parse(raw) };
  } catch (e) {
    return {
      ok: false,
      response: errorOf(apiErrors.badRequest(`Invalid JSON body: ${(e as Error).message}`)),
    };
  }
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: ApiResponse): void {
  const payload = 'json' in response ? JSON.stringify(response.json) : response.text;
  res.writeHead(response.status, {
    'Content-Type': RESPONSE_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** What serves GET /metrics: prom-client's Registry fits. */
export interface MetricsText {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** The node:http request listener around the API, plus Prometheus metrics at GET /metrics when given. */
export function requestListener(api: Api, logger: Logger, metrics?: MetricsText) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://registry');
    // Not part of Confluent's API, whose paths never start with /metrics.
    if (metrics && method === 'GET' && url.pathname === '/metrics') {
      const text = await metrics.metrics();
      res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    let response: ApiResponse;
    try {
      const raw = await readBody(req);
      const parsed: BodyResult =
        raw === null
          ? { ok: false, response: errorOf(apiErrors.badRequest('Request body too large')) }
          : parseBody(req.headers['content-type'], raw);
      response = parsed.ok
        ? await api.handle({ method, path: url.pathname, query: url.searchParams, body: parsed.body })
        : parsed.response;
    } catch (e) {
      response = {
        status: 500,
        json: { error_code: 500, message: `Internal Server Error: ${(e as Error).message}` },
      };
    }
    if (!res.headersSent && !res.destroyed) send(res, response);
    const entry = { method, path: url.pathname, status: response.status, ms: Date.now() - started };
    if (response.status >= 500) logger.error(entry, 'request failed');
    else if (method === 'GET') logger.debug(entry, 'request');
    else logger.info(entry, 'request');
  };
}
