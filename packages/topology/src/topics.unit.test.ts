import { parseConfig } from '@open-bank/config';
import { describe, expect, it } from 'vitest';
import { kafkaConfigSpec, topologyOf } from './config.ts';
import { keyFor, plannedTopics, resolveTopology, topicIds } from './topics.ts';
import { uuidToBytes } from './uuid.ts';

describe('topic table (SPEC §3)', () => {
  const topology = resolveTopology();

  it('has the eight topics with their partitions, replication, configs and records', () => {
    const table = topicIds.map((id) => {
      const t = topology[id];
      return [t.name, t.partitions, t.replicationFactor, t.configs, t.record, t.key];
    });
    expect(table).toEqual([
      ['heartbeat', 1, 3, { 'retention.ms': '900000' }, 'Heartbeat', 'local-date-time'],
      ['confirm_account_creation', 1, 3, { 'retention.ms': '-1' }, 'ConfirmAccountCreation', 'id'],
      ['account_creation_confirmed', 1, 3, { 'retention.ms': '-1' }, 'AccountCreationConfirmed', 'id'],
      ['account_creation_failed', 1, 3, { 'retention.ms': '-1' }, 'AccountCreationFailed', 'id'],
      ['confirm_money_transfer', 9, 3, { 'retention.ms': '-1' }, 'ConfirmMoneyTransfer', 'id'],
      ['money_transfer_confirmed', 9, 3, { 'retention.ms': '-1' }, 'MoneyTransferConfirmed', 'id'],
      ['money_transfer_failed', 9, 3, { 'retention.ms': '-1' }, 'MoneyTransferFailed', 'id'],
      ['balance_changed', 9, 3, { 'retention.ms': '-1' }, 'BalanceChanged', 'iban'],
    ]);
  });

  it('uses the topic-name strategy for subjects and gives each topic a dead-letter topic', () => {
    expect(topology.balanceChanged.subject).toBe('balance_changed-value');
    expect(topology.confirmMoneyTransfer.deadLetter).toBe('confirm_money_transfer.dlq');
    const planned = plannedTopics(topology);
    expect(planned).toHaveLength(16);
    expect(planned.filter((p) => p.subject).map((p) => p.subject)).toHaveLength(8);
    expect(planned.find((p) => p.name === 'heartbeat.dlq')).toMatchObject({ partitions: 1 });
    expect(planned.find((p) => p.name === 'heartbeat.dlq')?.subject).toBeUndefined();
    // A dead letter waits, however long, for its cause to be fixed and for someone to re-submit it.
    for (const p of planned.filter((t) => t.name.endsWith('.dlq')))
      expect(p.configs).toEqual({ 'retention.ms': '-1' });
  });

  it('takes topic names from KAFKA_<ABBREV>_TOPIC', () => {
    const config = parseConfig(kafkaConfigSpec('x'), { KAFKA_CMT_TOPIC: 'cmt2', KAFKA_BC_TOPIC: 'bc2' });
    const t = topologyOf(config);
    expect(t.confirmMoneyTransfer.name).toBe('cmt2');
    expect(t.confirmMoneyTransfer.subject).toBe('cmt2-value');
    expect(t.balanceChanged.deadLetter).toBe('bc2.dlq');
    expect(t.heartbeat.name).toBe('heartbeat');
  });

  it('refuses a topic name Kafka would refuse, naming the variable', () => {
    expect(() => parseConfig(kafkaConfigSpec('x'), { KAFKA_HEARTBEAT_TOPIC: 'bad topic' })).toThrow(
      /KAFKA_HEARTBEAT_TOPIC/,
    );
    expect(() => parseConfig(kafkaConfigSpec('x'), { KAFKA_BROKERS: '' })).toThrow(/KAFKA_BROKERS/);
  });

  it('keys records by id, iban or local date-time', () => {
    const id = '123e4567-e89b-12d3-a456-426614174000';
    expect(keyFor(topology.confirmAccountCreation, { id: uuidToBytes(id), a_type: 'AUTO' }, new Date())).toBe(
      id,
    );
    expect(
      keyFor(
        topology.balanceChanged,
        { iban: 'NL66OPEN0000000000', new_balance: 1n, changed_by: 1n, from_to: 'cash', description: 'd' },
        new Date(),
      ),
    ).toBe('NL66OPEN0000000000');
    expect(keyFor(topology.heartbeat, { beat: 0n }, new Date(2026, 0, 2, 3, 4, 5, 6))).toBe(
      '2026-01-02T03:04:05.006',
    );
  });
});
