import { describe, expect, it } from 'vitest';
import {
  brokerRoles,
  coordinatorPartition,
  describeRoles,
  javaHashCode,
  pickVictim,
  type TopicMeta,
  underReplicated,
} from './broker.ts';

const p = (partitionId: number, leader: number, isr = [1, 2, 3]) => ({
  partitionId,
  leader,
  replicas: [1, 2, 3],
  isr,
});

describe('broker roles', () => {
  it("places ids as Kafka does (Java's String.hashCode, its absolute value modulo the partitions)", () => {
    expect(javaHashCode('')).toBe(0);
    expect(javaHashCode('abc')).toBe(96_354);
    // Overflows to negative in Java: "polygenelubricants".hashCode() == Integer.MIN_VALUE.
    expect(javaHashCode('polygenelubricants')).toBe(-2_147_483_648);
    expect(coordinatorPartition('polygenelubricants', 10)).toBe(0);
    expect(coordinatorPartition('abc', 10)).toBe(4);
  });

  it("picks the relay's transaction coordinator, else the node leading most of the bank's partitions", () => {
    const txPartition = coordinatorPartition('command-handler-relay', 10);
    const topics: TopicMeta[] = [
      { name: 'confirm_money_transfer', partitions: [p(0, 1), p(1, 3), p(2, 3)] },
      { name: 'heartbeat', partitions: [p(0, 2)] },
      {
        name: '__transaction_state',
        partitions: Array.from({ length: 10 }, (_, i) => p(i, i === txPartition ? 2 : 1)),
      },
    ];
    const roles = brokerRoles(topics, ['confirm_money_transfer']);
    expect(roles.leads).toEqual(
      new Map([
        [1, 1],
        [3, 2],
      ]),
    );
    expect(roles.relayCoordinator).toBe(2);
    expect(pickVictim(roles, 2)).toBe(2);
    expect(describeRoles(2, roles)).toBe("leads 0 bank partitions, the relay's transaction coordinator");
    const noTx = brokerRoles(topics.slice(0, 2), ['confirm_money_transfer']);
    expect(pickVictim(noTx, 2)).toBe(3);
    expect(pickVictim(brokerRoles([], []), 2)).toBe(2);
  });

  it('counts partitions whose in-sync replicas are short', () => {
    expect(underReplicated([{ name: 't', partitions: [p(0, 1), p(1, 2, [2, 3]), p(2, 3, [3])] }])).toBe(2);
    expect(underReplicated([{ name: 't', partitions: [p(0, 1)] }])).toBe(0);
  });
});
