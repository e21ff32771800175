// `pnpm stack up` as committed: the environment packages/stack/src/parts.ts hands each service, checked
// against the service's config spec the way docker-compose.unit.test.ts checks the compose file. Nothing
// is started; the stack's context is only computed.
import { commandGeneratorConfigSpec } from '@open-bank/command-generator';
import { commandHandlerConfigSpec } from '@open-bank/command-handler';
import type { ConfigSpec } from '@open-bank/config';
import { frontendServerConfigSpec } from '@open-bank/frontend-server';
import { graphqlEndpointConfigSpec } from '@open-bank/graphql-endpoint';
import { heartbeatConfigSpec } from '@open-bank/heartbeat';
import { schemaRegistryConfigSpec } from '@open-bank/schema-registry';
import { buildParts, type Part, stackContext, stackSettings } from '@open-bank/stack';
import { synchronizerConfigSpec } from '@open-bank/synchronizer';
import { describe, expect, it } from 'vitest';
import { checkServiceEnv } from './checks.ts';

// Keyed by part name; every service part must be here, so a new service cannot skip the check.
const specs: Record<string, ConfigSpec> = {
  'schema-registry': schemaRegistryConfigSpec,
  synchronizer: synchronizerConfigSpec,
  'command-handler': commandHandlerConfigSpec,
  'graphql-endpoint': graphqlEndpointConfigSpec,
  'command-generator': commandGeneratorConfigSpec,
  heartbeat: heartbeatConfigSpec,
  frontend: frontendServerConfigSpec,
};

// An offset no other profile uses, so a default port that slipped through cannot match by chance (below the
// ephemeral port range, which the stack refuses).
const settings = stackSettings({ profile: 'parts-check', portOffset: 14_300, brokers: 3 }, {});
const ctx = stackContext(settings, { env: {} });
const parts = buildParts(ctx);

/** The variables the part itself sets, without the ones every child inherits from the stack. */
function ownEnv(part: Part): Record<string, string> {
  const env: Record<string, string> = { ...part.launch().env };
  for (const k of Object.keys(ctx.baseEnv)) delete env[k];
  return env;
}

describe('the stack hands each service what its config reads', () => {
  const services = parts.filter((p) => !p.name.startsWith('kafka-') && p.name !== 'postgres');

  it('knows a config spec for every service part', () => {
    expect(services.map((p) => p.name).sort()).toEqual(Object.keys(specs).sort());
  });

  for (const name of Object.keys(specs)) {
    it(`${name}: its environment parses, names only variables it reads, and sets the port it is probed on`, () => {
      const part = parts.find((p) => p.name === name);
      if (!part) throw new Error(`no part ${name}`);
      const spec = specs[name] as ConfigSpec;
      const { problems, port } = checkServiceEnv(ownEnv(part), spec);
      // Also refuses a default on loopback left unset: the stack's ports are shifted, the defaults are not.
      expect(problems).toEqual([]);
      expect(port).toBe(part.ports[0]);
    });
  }
});
