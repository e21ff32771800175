import { FindingKind, findingKinds, type Report } from './check.ts';

/** The short report `pnpm reconcile` prints: counts, money, then each kind of finding with its first examples. */
export function formatReport(report: Report): string[] {
  const c = report.counts;
  const lines = [
    `commands: ${c.transfers} transfers, ${c.accountCreations} account creations (${c.commandMessages} messages); ${c.answers} answers`,
    `transfers: ${c.confirmedTransfers} confirmed, ${c.failedTransfers} failed`,
    `BalanceChanged: ${c.events} events on ${c.ibansWithEvents} IBANs; balancedb: ${c.balanceRows} balances; transactiondb: ${c.transactionRows} rows`,
    `money: changes sum to ${report.money.sumOfChanges}; confirmed transfers brought in ${report.money.broughtIn}, sent out ${report.money.sentOut}`,
  ];
  if (report.deadLettered.count > 0) {
    lines.push(`dead-lettered (no answer expected; see pnpm dlq): ${report.deadLettered.count}`);
    for (const e of report.deadLettered.examples) lines.push(`  ${e}`);
  }
  let kinds = 0;
  for (const kind of findingKinds) {
    const f = report.findings[kind];
    if (f.count === 0) continue;
    kinds++;
    lines.push(`FINDING ${kind}: ${f.count} × ${FindingKind[kind]}`);
    for (const e of f.examples) lines.push(`  ${e}`);
  }
  lines.push(
    report.ok
      ? 'reconciled: no findings'
      : `NOT reconciled: ${kinds} kind${kinds === 1 ? '' : 's'} of finding`,
  );
  return lines;
}
