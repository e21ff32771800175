import { ConfigError, parseConfig } from '@open-bank/config';
import { describe, expect, it } from 'vitest';
import { graphqlEndpointConfigSpec } from './config.ts';
import { groupIds, groupInstanceId } from './service.ts';

describe('graphql endpoint config', () => {
  it('names the instance 0 by default', () => {
    const c = parseConfig(graphqlEndpointConfigSpec, {});
    expect(c).toMatchObject({ clientId: 'graphql-endpoint', instance: '0' });
  });

  it('refuses an instance name that is no plain word', () => {
    for (const bad of ['a b', '', 'x'.repeat(101), 'a/b']) {
      expect(() => parseConfig(graphqlEndpointConfigSpec, { GRAPHQL_ENDPOINT_INSTANCE: bad })).toThrow(
        ConfigError,
      );
    }
    expect(() => parseConfig(graphqlEndpointConfigSpec, { GRAPHQL_ENDPOINT_INSTANCE: 'a b' })).toThrow(
      /GRAPHQL_ENDPOINT_INSTANCE/,
    );
  });

  it('gives each group its own static member id, the same after a restart and apart per instance', () => {
    const groups = groupIds('graphql-endpoint');
    expect(groupInstanceId(groups.answers, '0')).toBe('graphql-endpoint-answers-0');
    expect(groupInstanceId(groups.transactions, '0')).toBe('graphql-endpoint-transactions-0');
    // Two endpoints (their own client ids, or at least their own names) never share one.
    const other = groupIds('graphql-endpoint-b');
    expect(groupInstanceId(other.answers, '0')).not.toBe(groupInstanceId(groups.answers, '0'));
    expect(groupInstanceId(groups.answers, '1')).not.toBe(groupInstanceId(groups.answers, '0'));
  });
});
