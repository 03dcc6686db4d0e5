'use client';

import { useEffect, useState } from 'react';
import { useAuth } from '@/lib/auth';
import type { Usage } from '@/lib/types';
import { describeUsage } from '@/lib/usage';

/**
 * This month's estimated analysis cost and the monthly budget (`GET /api/me/usage`). When the
 * API cannot answer, nothing is shown: the cost line is information, not a reason to block the page.
 */
export function MonthlyUsage() {
  const { api } = useAuth();
  const [usage, setUsage] = useState<Usage | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.usage().then(
      (data) => {
        if (!cancelled) setUsage(data);
      },
      () => {
        if (!cancelled) setUsage(null);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  if (!usage) return null;
  const line = describeUsage(usage);
  return (
    <p className={line.overBudget ? 'notice notice-error' : 'muted'} data-testid="monthly-usage">
      {line.text}
    </p>
  );
}
