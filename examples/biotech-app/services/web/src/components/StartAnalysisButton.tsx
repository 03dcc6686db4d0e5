'use client';

import { useRouter } from 'next/navigation';
import { useRef, type ReactNode } from 'react';
import { ApiError, newIdempotencyKey } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import type { Parameters } from '@/lib/parameters';
import { ParametersForm } from './ParametersForm';

/** Words for a refusal to start (or rerun) that is not about a parameter. */
export function startRefusal(e: unknown, verb = 'start'): string {
  // The monthly budget is not a wait-a-moment refusal: its message says when it resets.
  if (e instanceof ApiError && e.code === 'monthly_budget_exceeded') return `Cannot ${verb}: ${e.message}`;
  if (e instanceof ApiError && e.status === 409) return `Cannot ${verb} yet: ${e.message}`;
  if (e instanceof ApiError && e.status === 429) return `Too many analyses running: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** The analysis parameters form whose submit button starts an analysis of the sample with them. */
export function StartAnalysisButton({
  sampleId,
  disabled,
  note,
}: {
  sampleId: string;
  disabled?: boolean;
  note?: ReactNode;
}) {
  const { api } = useAuth();
  const router = useRouter();
  // One key per start that succeeds: a start retried after a failure sends the same key, so a
  // start whose answer was lost returns the analysis it created instead of starting another.
  // Parameters changed after a failure are a new request: the key is renewed then.
  const idempotencyKey = useRef(newIdempotencyKey());
  const lastParameters = useRef<string | null>(null);

  const start = async (parameters: Parameters) => {
    const sent = JSON.stringify(parameters);
    if (lastParameters.current !== null && lastParameters.current !== sent) idempotencyKey.current = newIdempotencyKey();
    lastParameters.current = sent;
    const analysis = await api.startAnalysis(sampleId, parameters, idempotencyKey.current);
    idempotencyKey.current = newIdempotencyKey();
    lastParameters.current = null;
    router.push(`/analyses/${encodeURIComponent(analysis.id)}`);
  };

  return (
    <div className="start-analysis">
      <ParametersForm
        submitLabel="Start analysis"
        disabled={disabled}
        onSubmit={start}
        note={note}
        describeError={(e) => startRefusal(e)}
      />
    </div>
  );
}
