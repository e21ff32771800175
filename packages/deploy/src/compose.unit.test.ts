// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose's ${VAR} substitutions
import { describe, expect, it } from 'vitest';
import { healthcheckTool, interpolate, memoryBytes, parseCompose, parseEnvFile } from './compose.ts';
import { ComposeFormatError, InterpolationError } from './errors.ts';

describe('interpolate', () => {
  const vars = { SET: 'x', EMPTY: '' };

  it('substitutes like Compose', () => {
    expect(interpolate('a ${SET} $SET b', vars)).toBe('a x x b');
    expect(interpolate('${NOPE:-d} ${EMPTY:-d} ${EMPTY-d} ${SET:-d}', vars)).toBe('d d  x');
    expect(interpolate('${SET:+alt} ${NOPE:+alt}|', vars)).toBe('alt |');
    expect(interpolate('cost $$5 ${NOPE:-${SET}}', vars)).toBe('cost $5 x');
  });

  it('reports variables without value or default, and refuses ${VAR:?}', () => {
    const unset: string[] = [];
    expect(interpolate('[${NOPE}]', vars, (n) => unset.push(n))).toBe('[]');
    expect(unset).toEqual(['NOPE']);
    expect(() => interpolate('${NOPE:?set NOPE}', vars)).toThrow(InterpolationError);
    expect(() => interpolate('${SET', vars)).toThrow(InterpolationError);
  });
});

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines, skipping comments and quotes', () => {
    expect(parseEnvFile('# c\n\nA=1\nexport B="two words"\nC=x # note\n')).toEqual({
      A: '1',
      B: 'two words',
      C: 'x',
    });
    expect(() => parseEnvFile('not a line')).toThrow(ComposeFormatError);
  });
});

describe('parseCompose', () => {
  it('resolves anchors, merges and substitutions and normalises the short forms', () => {
    const project = parseCompose(
      `
x-env: &env
  A: \${A:-1}
services:
  one:
    image: busybox:1
    environment:
      <<: *env
      B: two
    depends_on: [two]
    ports: ["8080:80", "9000", 53]
    volumes: ["./conf:/etc/conf:ro", "data:/data"]
    healthcheck:
      test: wget -q localhost
  two:
    build: .
    environment: [C=3, D]
    depends_on:
      one: { condition: service_healthy, required: false }
volumes:
  data:
`,
      { A: 'a' },
    );
    const one = project.services.one;
    expect(one?.environment).toEqual({ A: 'a', B: 'two' });
    expect(one?.dependsOn).toEqual({ two: { condition: 'service_started', required: true } });
    expect(one?.ports).toEqual([
      { host: 8080, container: 80 },
      { host: undefined, container: 9000 },
      { host: undefined, container: 53 },
    ]);
    expect(one?.volumes).toEqual([
      { type: 'bind', source: './conf', target: '/etc/conf' },
      { type: 'volume', source: 'data', target: '/data' },
    ]);
    expect(one?.healthcheck?.test).toEqual(['CMD-SHELL', 'wget -q localhost']);
    const two = project.services.two;
    expect(two?.build).toEqual({ context: '.', dockerfile: 'Dockerfile', target: undefined, args: {} });
    expect(two?.environment).toEqual({ C: '3', D: undefined });
    expect(two?.dependsOn.one).toEqual({ condition: 'service_healthy', required: false });
    expect(project.volumes).toEqual(['data']);
  });

  it('refuses what is not a Compose file', () => {
    expect(() => parseCompose('services: [a, b]')).toThrow(ComposeFormatError);
    expect(() => parseCompose('services:\n  a:\n    restart: false\n')).toThrow(ComposeFormatError);
    expect(() => parseCompose('a: b: c')).toThrow(ComposeFormatError);
  });
});

describe('healthcheckTool and memoryBytes', () => {
  it('names the executable a healthcheck runs', () => {
    expect(healthcheckTool({ test: ['CMD', 'curl', '-f', 'x'], disabled: false })).toBe('curl');
    expect(healthcheckTool({ test: ['CMD-SHELL', 'A=1 B=2 /bin/check --x'], disabled: false })).toBe(
      '/bin/check',
    );
    expect(healthcheckTool({ test: ['NONE'], disabled: true })).toBeUndefined();
  });

  it('reads Compose memory sizes', () => {
    expect(memoryBytes('512m')).toBe(512 * 1024 ** 2);
    expect(memoryBytes('1g')).toBe(1024 ** 3);
    expect(memoryBytes('1.5GB')).toBe(1.5 * 1024 ** 3);
    expect(memoryBytes('lots')).toBeUndefined();
  });
});
