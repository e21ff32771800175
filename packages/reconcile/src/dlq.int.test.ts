import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readTopic, repoRoot } from '@open-bank/runtime/testing';
import { stackEnv } from '@open-bank/stack/testing';
import {
  CASH,
  COMPANY_IBAN,
  createKafka,
  DeadLetterHeader,
  producerDefaults,
  topicIds,
  uuidToBytes,
} from '@open-bank/topology';
import { createScratchTopics, type ScratchTopics } from '@open-bank/topology/testing';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters } from './dlq.ts';

let kafka: Kafka;
let scratch: ScratchTopics;
let env: Record<string, string>;

beforeAll(async () => {
  const shared = stackEnv();
  kafka = createKafka({ brokers: shared.KAFKA_BROKERS.split(','), clientId: 'dlq-test' });
  scratch = await createScratchTopics(
    kafka,
    shared.SCHEMA_REGISTRY_URL,
    `_dlq_${randomUUID().slice(0, 8)}`,
    topicIds,
  );
  env = {
    KAFKA_BROKERS: shared.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: shared.SCHEMA_REGISTRY_URL,
    ...scratch.topicEnv,
  };
});

afterAll(async () => {
  await scratch?.drop();
});

function dlq(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'packages/reconcile/src/dlq-main.ts', ...args],
      { cwd: repoRoot(), env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

describe('pnpm dlq', () => {
  it('lists dead letters, re-submits one to its source topic once, and refuses a second time', async () => {
    const cmt = scratch.topology.confirmMoneyTransfer;
    expect((await dlq([])).stdout).toContain('no dead letters');

    // A dead letter as the consumer loop sets one aside (e.g. the registry was down), its cause since fixed.
    const id = randomUUID();
    const value = scratch.codec.encode('confirmMoneyTransfer', {
      id: uuidToBytes(id),
      token: CASH,
      amount: 1234n,
      from: CASH,
      to: COMPANY_IBAN,
      description: 'dead letter',
    });
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    await producer.send({
      topic: cmt.deadLetter,
      acks: -1,
      messages: [
        {
          key: id,
          value,
          headers: {
            [DeadLetterHeader.topic]: cmt.name,
            [DeadLetterHeader.partition]: '4',
            [DeadLetterHeader.offset]: '17',
            [DeadLetterHeader.errorCode]: 'REGISTRY_UNAVAILABLE',
            [DeadLetterHeader.error]: 'could not fetch schema id 3',
          },
        },
      ],
    });
    await producer.disconnect();

    const listed = await dlq(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(
      `${cmt.deadLetter} 0@0  from ${cmt.name} 4@17  REGISTRY_UNAVAILABLE: could not fetch schema id 3`,
    );
    expect(listed.stdout).toContain('1 dead letters, 1 not re-submitted');

    const first = await dlq(['resubmit', cmt.deadLetter, '0', '0']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`re-submitted ${cmt.deadLetter} 0@0 to ${cmt.name} \\d+@\\d+`));

    const back = await readTopic(kafka, cmt.name);
    expect(back).toHaveLength(1);
    expect(back[0]?.value?.equals(value)).toBe(true);
    expect(back[0]?.key?.toString()).toBe(id);
    expect(back[0]?.headers?.[DeadLetterHeader.resubmittedFrom]?.toString()).toBe(`${cmt.deadLetter}/0/0`);

    const letters = await listDeadLetters(kafka, scratch.topology);
    expect(letters).toHaveLength(1);
    expect(letters[0]?.resubmitted).toBe(true);
    expect((await dlq([])).stdout).toContain('[re-submitted]');

    // Named again, by its dead-letter place or by its source position: refused, nothing sent.
    const again = await dlq(['resubmit', cmt.deadLetter, '0', '0']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('was re-submitted before');
    const bySource = await dlq(['resubmit', cmt.name, '4', '17']);
    expect(bySource.code).toBe(1);
    expect(bySource.stderr).toContain('was re-submitted before');
    expect(await readTopic(kafka, cmt.name)).toHaveLength(1);

    const missing = await dlq(['resubmit', cmt.deadLetter, '0', '99']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no dead letter at');
    const bad = await dlq(['resubmit', cmt.deadLetter, 'zero', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("partition must be a whole number, got 'zero'");
  }, 300_000);
});
