import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleDecision, throttledReason } from './login-throttle.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function fail(throttle: LoginThrottle, user: string, client: string): ThrottleDecision {
  const d = throttle.begin(user, client);
  if (d.allowed) d.attempt.failed();
  return d;
}

const waitOf = (d: ThrottleDecision) => (d.allowed ? 0 : d.retryInMs);

describe('LoginThrottle', () => {
  it('allows a few failures, then doubles the delay up to the maximum', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < DEFAULT_THROTTLE.freeFailures; i++)
      expect(fail(t, 'alice', '10.0.0.1').allowed).toBe(true);
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      const d = t.begin('alice', '10.0.0.1');
      expect(d.allowed).toBe(false);
      waits.push(waitOf(d));
      c.advance(waitOf(d));
      expect(fail(t, 'alice', '10.0.0.1').allowed).toBe(true);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('clears the streak on a success', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 3; i++) fail(t, 'alice', '10.0.0.1');
    c.advance(1_000);
    const ok = t.begin('alice', '10.0.0.1');
    expect(ok.allowed).toBe(true);
    if (ok.allowed) ok.attempt.succeeded();
    for (let i = 0; i < 3; i++) expect(fail(t, 'alice', '10.0.0.1').allowed).toBe(true);
  });

  it('counts attempts still being checked, so concurrent guesses cannot slip past', () => {
    const t = new LoginThrottle(clock().now);
    const started = Array.from({ length: 10 }, () => t.begin('alice', '10.0.0.1'));
    expect(started.filter((d) => d.allowed)).toHaveLength(DEFAULT_THROTTLE.freeFailures);
    expect(waitOf(started[9] as ThrottleDecision)).toBe(1_000);
  });

  it('caps the failures of one address per minute, over any usernames', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < DEFAULT_THROTTLE.failuresPerMinute; i++) {
      expect(fail(t, `user-${i}`, '10.0.0.9').allowed).toBe(true);
      c.advance(1_000);
    }
    const refused = t.begin('someone-else', '10.0.0.9');
    expect(waitOf(refused)).toBe(40_000);
    expect(t.begin('someone-else', '10.0.0.10').allowed).toBe(true);
    c.advance(40_000);
    expect(t.begin('someone-else', '10.0.0.9').allowed).toBe(true);
  });

  it('slows guessing spread over many addresses, but not the user on an address they logged in from', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    const ok = t.begin('alice', '192.168.1.5');
    if (ok.allowed) ok.attempt.succeeded();
    for (let i = 0; i < DEFAULT_THROTTLE.usernameFreeFailures; i++) {
      expect(fail(t, 'alice', `10.1.0.${i}`).allowed).toBe(true);
    }
    // A new address for alice waits, whoever it is ...
    expect(waitOf(t.begin('alice', '10.2.0.1'))).toBe(1_000);
    // ... but her own device is never locked out by other addresses' failures.
    const own = t.begin('alice', '192.168.1.5');
    expect(own.allowed).toBe(true);
    // And however long the attack goes on, a new device waits at most the maximum delay.
    for (let i = 0; i < 50; i++) {
      c.advance(waitOf(t.begin('alice', '10.3.0.1')));
      fail(t, 'alice', `10.4.${i}.1`);
    }
    expect(waitOf(t.begin('alice', '10.5.0.1'))).toBeLessThanOrEqual(DEFAULT_THROTTLE.maxDelayMs);
  });

  it('forgets quiet streaks and stays within its memory bound', () => {
    const c = clock();
    const t = new LoginThrottle(c.now, { ...DEFAULT_THROTTLE, maxEntries: 50, failuresPerMinute: 1_000_000 });
    for (let i = 0; i < 500; i++) fail(t, `user-${i}`, `10.0.${i % 256}.${i >> 8}`);
    expect(t.size).toBeLessThanOrEqual(53);
    c.advance(DEFAULT_THROTTLE.forgetMs + MINUTE);
    for (let i = 0; i < 3; i++) fail(t, 'late', '10.9.9.9');
    expect(t.size).toBeLessThanOrEqual(53);
  });

  it('says how long to wait in whole seconds', () => {
    expect(throttledReason(1)).toBe('too many attempts, try again in 1 s');
    expect(throttledReason(59_001)).toBe('too many attempts, try again in 60 s');
  });
});

const MINUTE = 60_000;
