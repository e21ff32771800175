/** A run-name pattern: `*` any run of characters, `?` one character, everything else literal. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function globMatches(pattern: string, name: string): boolean {
  return globToRegExp(pattern).test(name);
}

/**
 * Which category each run belongs to, from a mapping of category to pattern (or patterns). A run goes to the
 * first category (in the mapping's order) with a matching pattern; runs no pattern matches are left out.
 */
export function categorize(
  runNames: readonly string[],
  mapping: Readonly<Record<string, string | readonly string[]>>,
): Map<string, string[]> {
  const out = new Map<string, string[]>(Object.keys(mapping).map((c) => [c, []]));
  const compiled = Object.entries(mapping).map(
    ([category, p]) => [category, (typeof p === 'string' ? [p] : p).map(globToRegExp)] as const,
  );
  for (const name of runNames) {
    const hit = compiled.find(([, res]) => res.some((re) => re.test(name)));
    if (hit) out.get(hit[0])?.push(name);
  }
  return out;
}
