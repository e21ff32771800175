import type { Batch } from '@open-bank/runtime';
import { bytesToUuid, COMPANY_IBAN, keyFor, resolveTopology, uuidToBytes } from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import { CommandGenerator } from './generate.ts';
import { type Consumed, createHandler, type Encode } from './handler.ts';
import type { Random } from './random.ts';

const topology = resolveTopology({ confirmMoneyTransfer: 'cmt_renamed' });
const NOW = new Date(2024, 4, 5, 6, 7, 8, 9);

let uuids = 0;
const random: Random = {
  int: (max) => max - 1,
  uuid: () => `00000000-0000-4000-8000-${String(++uuids).padStart(12, '0')}`,
};

/** Stands in for the codec: the topic and the record as JSON, so a test can read back what was encoded. */
const encode: Encode = {
  record: (topic, value, now) => ({
    topic: topology[topic].name,
    key: keyFor(topology[topic], value, now),
    value: Buffer.from(JSON.stringify({ topic, value }, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))),
  }),
};
const decode = (b: Buffer | null) => JSON.parse(b?.toString('utf8') ?? 'null');

function batch<T extends Consumed>(topic: T, values: unknown[]): Batch<Consumed> {
  return {
    topic,
    partition: 0,
    messages: values.map((value, i) => ({ partition: 0, offset: String(i), key: null, value, timestamp: 0 })),
  } as unknown as Batch<Consumed>;
}

describe('createHandler', () => {
  it('turns a batch of beats into one command per beat, keyed by command id, on the topology’s topics', async () => {
    const handle = createHandler({
      generator: new CommandGenerator(random),
      encode,
      clock: () => NOW,
    });
    const out = await handle(batch('heartbeat', [{ beat: 0n }, { beat: 20n }, { beat: 21n }]));
    expect(out.map((o) => o.topic)).toEqual(['confirm_account_creation', 'cmt_renamed', 'cmt_renamed']);
    for (const o of out) {
      const { topic, value } = decode(o.value);
      expect(topology[topic as 'confirmMoneyTransfer'].name).toBe(o.topic);
      expect(o.key).toBe(bytesToUuid(Buffer.from(value.id.data)));
    }
    expect(decode(out[1]?.value ?? null).value.description).toMatch(/ 2024-05-05T06:07:08\.009$/);
  });

  it('turns confirmed AUTO accounts into salaries and remembers them', async () => {
    const generator = new CommandGenerator(random);
    const handle = createHandler({ generator, encode, clock: () => NOW });
    const account = (n: number, a_type: string) => ({
      id: uuidToBytes(`10000000-0000-4000-8000-00000000000${n}`),
      iban: `NL00OPEN000000000${n}`,
      token: `t${n}`,
      a_type,
    });
    const out = await handle(batch('accountCreationConfirmed', [account(1, 'AUTO'), account(2, 'MANUAL')]));
    expect(out).toHaveLength(1);
    expect(out[0]?.topic).toBe('cmt_renamed');
    expect(decode(out[0]?.value ?? null).value).toMatchObject({
      from: COMPANY_IBAN,
      to: 'NL00OPEN0000000001',
      amount: '269999n',
    });
    expect(generator.accounts.all()).toEqual([{ iban: 'NL00OPEN0000000001', token: 't1' }]);
  });
});
