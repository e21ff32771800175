import type { RecordOf, TopicId } from '@open-bank/topology';
import { keyFor, resolveTopology, uuidToBytes } from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import { type Encoder, OutputEncoder } from './outputs.ts';

const topology = resolveTopology({ balanceChanged: 'bc', moneyTransferFailed: 'mtf' });
const encoded: Array<[TopicId, unknown]> = [];
const fake: Encoder = {
  record<T extends TopicId>(topic: T, value: RecordOf<T>, now: Date) {
    encoded.push([topic, value]);
    return {
      topic: topology[topic].name,
      key: keyFor(topology[topic], value, now),
      value: Buffer.from(topic),
    };
  },
};
const encoder = new OutputEncoder(fake, () => new Date('2024-01-01T00:00:00Z'));
const ID = '6f1c3d2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f';

describe('OutputEncoder', () => {
  it('writes a confirmation then its events, keyed by id and by iban', () => {
    const out = encoder.transfers([
      {
        id: uuidToBytes(ID),
        reason: null,
        events: [{ iban: 'NL1', new_balance: 1n, changed_by: 1n, from_to: 'cash', description: 'd' }],
      },
    ]);
    expect(out.map((o) => [o.topic, o.key, o.value?.toString()])).toEqual([
      ['money_transfer_confirmed', ID, 'moneyTransferConfirmed'],
      ['bc', 'NL1', 'balanceChanged'],
    ]);
  });

  it('writes a failure with its reason to the (overridable) failed topic', () => {
    encoded.length = 0;
    const out = encoder.transfers([{ id: uuidToBytes(ID), reason: 'insufficient funds', events: [] }]);
    expect(out.map((o) => [o.topic, o.key])).toEqual([['mtf', ID]]);
    expect(encoded).toEqual([['moneyTransferFailed', { id: uuidToBytes(ID), reason: 'insufficient funds' }]]);
  });

  it('writes account answers', () => {
    encoded.length = 0;
    const out = encoder.accounts([
      { id: uuidToBytes(ID), answer: { ok: true, iban: 'NL2', token: 't', a_type: 'MANUAL' } },
      { id: uuidToBytes(ID), answer: { ok: false, reason: 'r' } },
    ]);
    expect(out.map((o) => [o.topic, o.key])).toEqual([
      ['account_creation_confirmed', ID],
      ['account_creation_failed', ID],
    ]);
    expect(encoded[0]).toEqual([
      'accountCreationConfirmed',
      { id: uuidToBytes(ID), iban: 'NL2', token: 't', a_type: 'MANUAL' },
    ]);
  });
});
