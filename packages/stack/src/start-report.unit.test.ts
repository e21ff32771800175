import { describe, expect, it } from 'vitest';
import { connectedAndServingS, describeStart, parseStartup, startTimes } from './start-report.ts';

describe('parseStartup', () => {
  it('reads the milestones of a /health body', () => {
    const body = {
      status: 'starting',
      startup: {
        servingMs: 120,
        groups: { a: { connectedMs: 300 }, b: { connectedMs: 310, joinedMs: 900 } },
      },
    };
    expect(parseStartup(body)).toEqual({
      servingMs: 120,
      groups: { a: { connectedMs: 300 }, b: { connectedMs: 310, joinedMs: 900 } },
    });
  });

  it('is undefined for a body without them, and drops fields of the wrong type', () => {
    expect(parseStartup({ status: 'ok' })).toBeUndefined();
    expect(parseStartup('ok')).toBeUndefined();
    expect(parseStartup({ startup: { servingMs: '1', groups: { a: { joinedMs: null } } } })).toEqual({
      groups: { a: {} },
    });
  });
});

describe('start times', () => {
  it('counts a service without consumer groups as connected when healthy', () => {
    const t = startTimes(0.1, 0.35, { servingMs: 80, groups: {} });
    expect(connectedAndServingS(t)).toBe(0.35);
    expect(describeStart('heartbeat', t)).toBe('heartbeat: connected and serving 0.35s after spawn');
  });

  it('counts a consumer service as connected once every group connected, and reports the joins apart', () => {
    const t = startTimes(0.2, 3.4, {
      groups: { a: { connectedMs: 400, joinedMs: 3300 }, b: { connectedMs: 450, joinedMs: 3380 } },
    });
    expect(t.groupsConnectedS).toBe(0.45);
    expect(t.groupsJoinedS).toBe(3.38);
    expect(connectedAndServingS(t)).toBe(0.45);
    expect(describeStart('graphql-endpoint', t)).toBe(
      'graphql-endpoint: connected and serving 0.45s after spawn; consumer groups joined 3.38s, healthy 3.40s',
    );
  });

  it('waits for the slowest group: one not yet connected leaves the figure at healthy', () => {
    const t = startTimes(0.2, 1.5, { groups: { a: { connectedMs: 400 }, b: {} } });
    expect(t.groupsConnectedS).toBeUndefined();
    expect(connectedAndServingS(t)).toBe(1.5);
  });
});
