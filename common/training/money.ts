/**
 * Rounds a dollar amount to cents, half away from zero. Only outputs are rounded (training.md
 * §3: money is rounded only at the edges). Going through the decimal text of the value avoids
 * the binary error of `Math.round(x * 100)` (1.005 → 1.00); Postgres `round(numeric, 2)` agrees.
 */
export function roundCents(amount: number): number {
  if (!Number.isFinite(amount)) return amount;
  const sign = amount < 0 ? -1 : 1;
  const shifted = Number(`${Math.abs(amount).toPrecision(15)}e2`);
  return (sign * Math.round(shifted)) / 100;
}
