// Where the chaos int tests put the stacks of their own: beside the test profile's shared stack, under a
// profile of their own each, at its ports + 500 (a layout no port of the test profile uses; the int tier runs
// one file at a time, so they share it). Only the int tests import this.
import { boolean, envVar, integer, parseConfig, text } from '@open-bank/config';

const own = parseConfig(
  {
    profile: envVar('STACK_TEST_PROFILE', text({ max: 24, pattern: /^[a-z0-9-]+$/ }), { default: 'test' }),
    portOffset: envVar('STACK_TEST_PORT_OFFSET', integer({ min: 0, max: 40_000 }), { default: '10000' }),
    // The three-broker tests are part of the int tier; CHAOS_BROKER_LOSS=false leaves them out while working
    // on something else. They ran opt-in while requests still waited out the endpoint's 10 s during the move.
    brokerLoss: envVar('CHAOS_BROKER_LOSS', boolean(), { default: 'true' }),
  },
  process.env,
);

/** The profile and port offset of a chaos int test's own stack; `name` tells the tests' profiles apart. */
export function testStack(name: string): { readonly profile: string; readonly portOffset: number } {
  return { profile: `${own.profile}-${name}`, portOffset: own.portOffset + 500 };
}

/** Whether the three-broker tests run (CHAOS_BROKER_LOSS). */
export const BROKER_LOSS_TESTS = own.brokerLoss;
