/** Hours in the month the estimate prices (AWS' own monthly convention: 24 × 365 / 12). */
export const HOURS_PER_MONTH = 730;

/** USD with cents, e.g. `$1,234.56`. */
export function usd(n: number): string {
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
