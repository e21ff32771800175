import { describe, expect, it } from 'vitest';
import { matchRoute } from './router.ts';

describe('matchRoute', () => {
  it('matches routes and decodes parameters', () => {
    expect(matchRoute('GET', '/')).toEqual({ kind: 'match', name: 'root', params: {} });
    expect(matchRoute('GET', '/subjects/a-value/versions/latest')).toEqual({
      kind: 'match',
      name: 'getVersion',
      params: { subject: 'a-value', version: 'latest' },
    });
    expect(matchRoute('POST', '/subjects/a%2Fb')).toEqual({
      kind: 'match',
      name: 'lookup',
      params: { subject: 'a/b' },
    });
    expect(matchRoute('POST', '/compatibility/subjects/s/versions/1')).toMatchObject({
      name: 'checkCompatibility',
    });
    expect(matchRoute('GET', '/subjects/')).toMatchObject({ name: 'listSubjects' });
  });

  it('tells an unknown path from a known path with the wrong method', () => {
    expect(matchRoute('GET', '/nope')).toEqual({ kind: 'notFound' });
    expect(matchRoute('GET', '/subjects/s/versions/1/extra/more')).toEqual({ kind: 'notFound' });
    expect(matchRoute('PATCH', '/config')).toEqual({ kind: 'methodNotAllowed' });
    expect(matchRoute('GET', '/subjects/%E0%A4%A')).toEqual({ kind: 'notFound' });
  });
});
