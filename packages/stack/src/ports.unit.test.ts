import { describe, expect, it } from 'vitest';
import {
  allPorts,
  kafkaNodes,
  layoutProblems,
  MAX_PORT_OFFSET,
  PROFILE_OFFSETS,
  portLayout,
} from './ports.ts';

describe('port layout', () => {
  it('has the documented defaults for dev and +10000 for test', () => {
    expect(portLayout(PROFILE_OFFSETS.dev ?? -1)).toEqual({
      kafka: 9092,
      schemaRegistry: 8081,
      postgres: 5433,
      graphql: 8888,
      frontend: 8181,
      heartbeatControl: 17888,
      commandGenerator: 17889,
      commandHandler: 17890,
    });
    expect(portLayout(PROFILE_OFFSETS.test ?? -1)).toEqual({
      kafka: 19092,
      schemaRegistry: 18081,
      postgres: 15433,
      graphql: 18888,
      frontend: 18181,
      heartbeatControl: 27888,
      commandGenerator: 27889,
      commandHandler: 27890,
    });
  });

  it('puts broker n on kafka+2(n-1) and its controller right above', () => {
    expect(kafkaNodes(portLayout(0), 3)).toEqual([
      { id: 1, port: 9092, controllerPort: 9093 },
      { id: 2, port: 9094, controllerPort: 9095 },
      { id: 3, port: 9096, controllerPort: 9097 },
    ]);
  });

  it('lists every port once and finds none wrong in the built-in profiles', () => {
    const ports = allPorts(portLayout(0), 3);
    expect(ports).toHaveLength(13);
    expect(new Set(ports).size).toBe(13);
    expect(layoutProblems(portLayout(0), 3)).toEqual([]);
    expect(layoutProblems(portLayout(10_000), 3)).toEqual([]);
  });

  it('reports ports pushed out of range by an offset', () => {
    expect(layoutProblems(portLayout(50_000), 1)).toContain('port 67888 is out of range');
  });

  it('reports ports in the ephemeral range, and accepts the highest offset below it', () => {
    expect(layoutProblems(portLayout(20_000), 1)).toEqual([
      expect.stringMatching(/^ports 37888, 37889, 37890 in the ephemeral range 32768-60999/),
    ]);
    expect(MAX_PORT_OFFSET).toBe(32_767 - 17_890);
    expect(layoutProblems(portLayout(MAX_PORT_OFFSET), 3)).toEqual([]);
    expect(layoutProblems(portLayout(MAX_PORT_OFFSET + 1), 3)).toEqual([
      expect.stringMatching(/^port 32768 in the ephemeral range/),
    ]);
  });
});
