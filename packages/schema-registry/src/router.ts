export type RouteName =
  | 'root'
  | 'schemaTypes'
  | 'schemaById'
  | 'schemaByIdText'
  | 'schemaByIdVersions'
  | 'schemaByIdSubjects'
  | 'listSubjects'
  | 'listVersions'
  | 'register'
  | 'getVersion'
  | 'getVersionSchema'
  | 'deleteVersion'
  | 'lookup'
  | 'deleteSubject'
  | 'getGlobalConfig'
  | 'putGlobalConfig'
  | 'getSubjectConfig'
  | 'putSubjectConfig'
  | 'deleteSubjectConfig'
  | 'checkCompatibility'
  | 'checkCompatibilityAll';

interface RouteSpec {
  readonly method: string;
  /** Path segments; `:name` captures one (percent-decoded) segment. */
  readonly pattern: readonly string[];
  readonly name: RouteName;
}

const route = (method: string, path: string, name: RouteName): RouteSpec => ({
  method,
  pattern: path.split('/').filter((s) => s !== ''),
  name,
});

const ROUTES: readonly RouteSpec[] = [
  route('GET', '/', 'root'),
  route('GET', '/schemas/types', 'schemaTypes'),
  route('GET', '/schemas/ids/:id', 'schemaById'),
  route('GET', '/schemas/ids/:id/schema', 'schemaByIdText'),
  route('GET', '/schemas/ids/:id/versions', 'schemaByIdVersions'),
  route('GET', '/schemas/ids/:id/subjects', 'schemaByIdSubjects'),
  route('GET', '/subjects', 'listSubjects'),
  route('GET', '/subjects/:subject/versions', 'listVersions'),
  route('POST', '/subjects/:subject/versions', 'register'),
  route('GET', '/subjects/:subject/versions/:version', 'getVersion'),
  route('GET', '/subjects/:subject/versions/:version/schema', 'getVersionSchema'),
  route('DELETE', '/subjects/:subject/versions/:version', 'deleteVersion'),
  route('POST', '/subjects/:subject', 'lookup'),
  route('DELETE', '/subjects/:subject', 'deleteSubject'),
  route('GET', '/config', 'getGlobalConfig'),
  route('PUT', '/config', 'putGlobalConfig'),
  route('GET', '/config/:subject', 'getSubjectConfig'),
  route('PUT', '/config/:subject', 'putSubjectConfig'),
  route('DELETE', '/config/:subject', 'deleteSubjectConfig'),
  route('POST', '/compatibility/subjects/:subject/versions/:version', 'checkCompatibility'),
  route('POST', '/compatibility/subjects/:subject/versions', 'checkCompatibilityAll'),
];

export type RouteMatch =
  | { kind: 'match'; name: RouteName; params: Record<string, string> }
  | { kind: 'notFound' }
  | { kind: 'methodNotAllowed' };

/** Matches a request path (still percent-encoded, so an encoded `/` inside a subject stays inside it). */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const segments = rawPath.split('/').filter((s) => s !== '');
  let pathMatched = false;
  for (const spec of ROUTES) {
    const params = matchSegments(spec.pattern, segments);
    if (!params) continue;
    pathMatched = true;
    if (spec.method === method) return { kind: 'match', name: spec.name, params };
  }
  return pathMatched ? { kind: 'methodNotAllowed' } : { kind: 'notFound' };
}

function matchSegments(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const s = segments[i] as string;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        return null;
      }
    } else if (p !== s) {
      return null;
    }
  }
  return params;
}
