import {
  type Batch,
  createMetrics,
  GroupCommit,
  type Logger,
  nowMicros,
  type Outgoing,
  observeHop,
  parseTrace,
  type ServiceMetrics,
  TraceCheckpoint,
} from '@open-bank/runtime';
import type { Topology } from '@open-bank/topology';
import { Counter } from 'prom-client';
import type { AccountGenerators } from './decide.ts';
import type { CommandStore } from './store.ts';

export const COMMAND_TOPICS = ['confirmAccountCreation', 'confirmMoneyTransfer'] as const;
export type CommandTopic = (typeof COMMAND_TOPICS)[number];

export interface HandlerMetrics extends ServiceMetrics {
  readonly commands: Counter<'kind' | 'answer'>;
  readonly retries: Counter<'sqlstate'>;
  readonly relayed: Counter;
}

export function createHandlerMetrics(service: string): HandlerMetrics {
  const metrics = createMetrics(service);
  const registers = [metrics.registry];
  return {
    ...metrics,
    commands: new Counter({
      name: 'open_bank_commands_total',
      help: 'Commands answered, by kind and answer (confirmed or the failure reason)',
      labelNames: ['kind', 'answer'],
      registers,
    }),
    retries: new Counter({
      name: 'open_bank_db_transaction_retries_total',
      help: 'balancedb transactions run again after a serialization failure, deadlock or duplicate command',
      labelNames: ['sqlstate'],
      registers,
    }),
    relayed: new Counter({
      name: 'open_bank_outbox_relayed_total',
      help: 'Records the outbox relay of this instance published',
      registers,
    }),
  };
}

/** How many transfers one balancedb transaction takes at most, over the partitions' batches it groups. */
const MAX_GROUP_MESSAGES = 5_000;

/**
 * The consumer loop's handler: decides and stores a batch of commands; the outbox relay publishes them.
 * Transfer batches handed over together (the partitions of one fetch), or while a transaction is in flight,
 * share one balancedb transaction (group commit): with one transaction per partition's batch, the batches of a
 * fetch committed one after the other, and a command waited for every batch ahead of it.
 */
export function commandBatchHandler(options: {
  store: CommandStore;
  topology: Topology;
  logger: Logger;
  metrics: HandlerMetrics;
  generate: AccountGenerators;
}): (batch: Batch<CommandTopic>) => Promise<Outgoing[]> {
  const { store, topology, logger, metrics, generate } = options;
  const transfers = new GroupCommit(
    (batches: readonly Batch<'confirmMoneyTransfer'>['messages'][]) =>
      store.handleTransfers(topology.confirmMoneyTransfer.name, batches),
    { maxSize: MAX_GROUP_MESSAGES, size: (b) => b.length },
  );
  return async (batch) => {
    const started = performance.now();
    for (const m of batch.messages)
      observeHop(metrics.hops, 'command_fetched', parseTrace(m.trace), TraceCheckpoint.sent, m.fetchedAt);
    const topic = topology[batch.topic].name;
    let handled: number;
    if (batch.topic === 'confirmMoneyTransfer') {
      const replies = await transfers.run(batch.messages);
      for (const r of replies) metrics.commands.inc({ kind: 'transfer', answer: r.reason ?? 'confirmed' });
      handled = replies.length;
    } else {
      const replies = await store.handleAccounts(topic, batch.messages, generate);
      for (const r of replies)
        metrics.commands.inc({ kind: 'account', answer: r.answer.ok ? 'confirmed' : r.answer.reason });
      handled = replies.length;
    }
    // The store returns right after COMMIT; a batch was fetched at one moment, so every command it
    // handled spent the same time from fetch to commit.
    const committed = (nowMicros() - (batch.messages[0]?.fetchedAt ?? nowMicros())) / 1e6;
    for (let i = 0; i < handled; i++) metrics.hops.observe({ hop: 'balancedb_committed' }, committed);
    logger.debug(
      {
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages.length,
        handled,
        ms: Math.round(performance.now() - started),
      },
      'batch decided and stored',
    );
    // What the batch publishes is in the outbox now; the relay takes it from there.
    return [];
  };
}
