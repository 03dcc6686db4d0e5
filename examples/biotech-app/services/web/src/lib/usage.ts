import type { Usage } from './types';

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** `$12.34`; amounts under a cent keep their first significant digits (`$0.0021`). */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return '–';
  if (amount > 0 && amount < 0.01) return `$${amount.toPrecision(2)}`;
  return `$${amount.toFixed(2)}`;
}

/** "December 2026" from the API's `YYYY-MM` (the month is UTC, so no time zone applies). */
export function monthName(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const index = m ? Number(m[2]) - 1 : -1;
  return m && index >= 0 && index < 12 ? `${MONTHS[index]} ${m[1]}` : month;
}

export interface UsageLine {
  text: string;
  /** The budget is spent: new analyses and reruns are refused until the month ends. */
  overBudget: boolean;
}

/** The line the samples page shows about this month's cost and the budget. */
export function describeUsage(usage: Usage): UsageLine {
  const spent = `Estimated analysis cost in ${monthName(usage.month)} (UTC): ${formatUsd(usage.spentUsd)}`;
  const pending =
    usage.analysesWithoutCost > 0
      ? ` (${usage.analysesWithoutCost} ${usage.analysesWithoutCost === 1 ? 'analysis' : 'analyses'} without a cost yet)`
      : '';
  if (usage.budgetUsd === null) return { text: `${spent}${pending}. No monthly budget.`, overBudget: false };
  const overBudget = usage.spentUsd >= usage.budgetUsd;
  const tail = overBudget
    ? `Budget reached: new analyses start again on ${usage.resetsAt.slice(0, 10)} (UTC) or when an administrator raises it.`
    : `${formatUsd(usage.remainingUsd ?? Math.max(usage.budgetUsd - usage.spentUsd, 0))} left.`;
  return { text: `${spent}${pending} of a ${formatUsd(usage.budgetUsd)} monthly budget. ${tail}`, overBudget };
}
