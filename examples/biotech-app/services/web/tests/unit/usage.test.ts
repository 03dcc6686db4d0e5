import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../src/lib/api';
import type { Usage } from '../../src/lib/types';
import { describeUsage, formatUsd, monthName } from '../../src/lib/usage';
// The API's own answer shape: tests/test_budget.py in services/api validates this file against
// the API's OpenAPI schema of `GET /api/me/usage` and compares its fields with a live answer.
import fixture from './fixtures/usage.json';

const usage: Usage = fixture;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('monthly usage', () => {
  it('asks the API for /api/me/usage with the token', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return new Response(JSON.stringify(usage), { status: 200, headers: { 'Content-Type': 'application/json' } });
      }),
    );
    const got = await new ApiClient(async () => 'token').usage();
    expect(calls.map((c) => c.url)).toEqual(['/api/me/usage']);
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer token');
    expect(got).toEqual(usage);
  });

  it('shows the month, the spend and what is left of the budget', () => {
    expect(describeUsage(usage)).toEqual({
      text:
        'Estimated analysis cost in December 2026 (UTC): $41.50 (1 analysis without a cost yet) ' +
        'of a $50.00 monthly budget. $8.50 left.',
      overBudget: false,
    });
  });

  it('says when the budget is reached and when it resets', () => {
    const line = describeUsage({ ...usage, spentUsd: 50.2, remainingUsd: 0, analysesWithoutCost: 0 });
    expect(line.overBudget).toBe(true);
    expect(line.text).toBe(
      'Estimated analysis cost in December 2026 (UTC): $50.20 of a $50.00 monthly budget. ' +
        'Budget reached: new analyses start again on 2027-01-01 (UTC) or when an administrator raises it.',
    );
  });

  it('says there is no budget when none is set', () => {
    const line = describeUsage({ ...usage, budgetUsd: null, remainingUsd: null, analysesWithoutCost: 3 });
    expect(line).toEqual({
      text: 'Estimated analysis cost in December 2026 (UTC): $41.50 (3 analyses without a cost yet). No monthly budget.',
      overBudget: false,
    });
  });

  it('formats amounts and months', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.0021)).toBe('$0.0021');
    expect(formatUsd(1234.5)).toBe('$1234.50');
    expect(monthName('2027-01')).toBe('January 2027');
    expect(monthName('bogus')).toBe('bogus');
  });
});
