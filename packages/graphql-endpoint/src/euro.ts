/**
 * Cents as the original shows money: the euro sign directly followed by the amount with Dutch separators,
 * `€1.234,56`, `€-12,34`. BigInt all the way, because balances go past 2^53 (the company starts at 10^17).
 */
export function formatEuro(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = (abs / 100n).toString();
  const fraction = (abs % 100n).toString().padStart(2, '0');
  let grouped = '';
  for (let end = whole.length; end > 0; end -= 3) {
    const part = whole.slice(Math.max(0, end - 3), end);
    grouped = grouped === '' ? part : `${part}.${grouped}`;
  }
  return `€${negative ? '-' : ''}${grouped},${fraction}`;
}
