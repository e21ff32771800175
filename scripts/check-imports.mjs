// Fails on an import of another package's internals (only `@open-bank/<pkg>` and the subpaths its
// package.json exports may be imported, never a relative path into another package) and on an import cycle
// between files of the same package's production code. Run by `pnpm lint`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packageDirs = [
  ...readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)),
  join(root, 'e2e'),
];
const exportsOf = new Map();
for (const dir of packageDirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  exportsOf.set(pkg.name, new Set(Object.keys(pkg.exports ?? { '.': '' })));
}
const packageOf = (file) => packageDirs.find((d) => file.startsWith(d + sep));

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'results') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|tsx|mjs)$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

const IMPORT =
  /(?:^|[\n;])\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const problems = [];
const graph = new Map();
for (const dir of packageDirs) {
  for (const file of sources(dir)) {
    const text = readFileSync(file, 'utf8');
    const edges = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      const where = relative(root, file);
      if (spec.startsWith('@open-bank/')) {
        const [scope, name, ...rest] = spec.split('/');
        const sub = rest.length === 0 ? '.' : `./${rest.join('/')}`;
        const exported = exportsOf.get(`${scope}/${name}`);
        if (!exported) problems.push(`${where}: imports unknown package ${spec}`);
        else if (!exported.has(sub))
          problems.push(`${where}: imports ${spec}, which ${scope}/${name} does not export`);
      } else if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (packageOf(target) !== dir) problems.push(`${where}: imports ${spec}, inside another package`);
        else if (!/\.(unit|int|e2e)\.test\.tsx?$/.test(file) && !/test/.test(relative(dir, target)))
          edges.push(target);
      }
    }
    if (!/\.(unit|int|e2e)\.test\.tsx?$/.test(file)) graph.set(file, edges);
  }
}

// Cycles: depth-first search, reporting each cycle once by its path.
const state = new Map();
const stack = [];
function visit(file) {
  state.set(file, 'open');
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 'open') {
      const cycle = stack.slice(stack.indexOf(next)).concat(next);
      problems.push(`import cycle: ${cycle.map((f) => relative(root, f)).join(' -> ')}`);
    } else if (!state.has(next) && graph.has(next)) visit(next);
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of graph.keys()) if (!state.has(file)) visit(file);

if (problems.length > 0) {
  console.error(`import check: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`import check: ${graph.size} files, no cycle, no import of another package's internals`);
