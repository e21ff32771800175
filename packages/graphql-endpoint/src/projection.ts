import {
  type Batch,
  nowMicros,
  type Outgoing,
  observeHop,
  parseTrace,
  TraceCheckpoint,
} from '@open-bank/runtime';
import type { Topology } from '@open-bank/topology';
import type { TransactionHub } from './hub.ts';
import type { EndpointMetrics } from './metrics.ts';
import { PushedOffsets } from './pushed-offsets.ts';
import type { NewTransaction, TransactionStore } from './store.ts';

/**
 * The transaction loop's handler: every balance_changed event becomes a row of transactiondb (which keeps
 * one row per topic, partition and offset), then is pushed to the subscriptions it matches — every event
 * this process consumes for the first time, whoever stored its row: another endpoint instance on the same
 * database (groups of its own, subscribers of its own) may have stored it first. A batch consumed again in
 * this process is not pushed again (PushedOffsets). Only rows this process inserted count as stored.
 */
export function transactionProjection(options: {
  transactions: TransactionStore;
  hub: TransactionHub;
  topology: Topology;
  metrics: Pick<EndpointMetrics, 'hops' | 'transactionsStored'>;
}): (batch: Batch<'balanceChanged'>) => Promise<Outgoing[]> {
  const { transactions, hub, topology, metrics } = options;
  const pushedOffsets = new PushedOffsets();
  return async (batch) => {
    const { hops } = metrics;
    const traces = new Map<string, { trace: number[]; fetchedAt: number }>();
    for (const m of batch.messages) {
      const trace = parseTrace(m.trace);
      if (trace.length === 0) continue;
      traces.set(m.offset, { trace, fetchedAt: m.fetchedAt });
      observeHop(hops, 'event_consumed', trace, TraceCheckpoint.relayed, m.fetchedAt);
    }
    const rows: NewTransaction[] = batch.messages.map((m) => ({
      iban: m.value.iban,
      newBalance: m.value.new_balance,
      changedBy: m.value.changed_by,
      fromTo: m.value.from_to,
      description: m.value.description,
      createdAt: new Date(m.timestamp),
      topic: topology.balanceChanged.name,
      partition: batch.partition,
      offset: m.offset,
    }));
    const stored = await transactions.insert(rows);
    const storedAt = nowMicros();
    metrics.transactionsStored.inc(stored.filter((row) => row.inserted).length);
    const fresh = pushedOffsets.take(batch.partition, stored);
    const pushed = hub.publish(fresh);
    if (traces.size > 0) {
      for (const row of fresh) {
        const t = traces.get(row.offset);
        if (t) hops.observe({ hop: 'transactiondb_stored' }, Math.max(0, storedAt - t.fetchedAt) / 1e6);
      }
      const pushedAt = nowMicros();
      for (const row of pushed) {
        const t = traces.get(row.offset);
        if (!t) continue;
        hops.observe({ hop: 'subscription_pushed' }, Math.max(0, pushedAt - storedAt) / 1e6);
        observeHop(hops, 'total', t.trace, TraceCheckpoint.origin, pushedAt);
      }
    }
    return [];
  };
}
