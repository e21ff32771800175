import { describe, expect, it } from 'vitest';
import { parseBody } from './http.ts';

describe('parseBody', () => {
  it('accepts the registry media types, plain JSON and no content type', () => {
    for (const type of [
      'application/vnd.schemaregistry.v1+json',
      'application/vnd.schemaregistry+json',
      'application/json; charset=utf-8',
      undefined,
    ]) {
      expect(parseBody(type, '{"schema":"\\"int\\""}')).toEqual({ ok: true, body: { schema: '"int"' } });
    }
  });

  it('treats an empty body as absent', () => {
    expect(parseBody('text/plain', '')).toEqual({ ok: true, body: undefined });
  });

  it('refuses other media types with 415 and broken JSON with 400', () => {
    expect(parseBody('text/plain', '{}')).toEqual({
      ok: false,
      response: { status: 415, json: { error_code: 415, message: 'HTTP 415 Unsupported Media Type' } },
    });
    expect(parseBody('application/json', '{')).toMatchObject({
      ok: false,
      response: { status: 400, json: { error_code: 400 } },
    });
  });
});
