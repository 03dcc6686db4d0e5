'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { ApiError, newIdempotencyKey } from '@/lib/api';
import { useAuth } from '@/lib/auth';

export function StartAnalysisButton({ sampleId, disabled }: { sampleId: string; disabled?: boolean }) {
  const { api } = useAuth();
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One key per click that succeeds: a click retried after a failure sends the same key, so a
  // start whose answer was lost returns the analysis it created instead of starting another.
  const idempotencyKey = useRef(newIdempotencyKey());

  const start = async () => {
    setPending(true);
    setError(null);
    try {
      const analysis = await api.startAnalysis(sampleId, undefined, idempotencyKey.current);
      idempotencyKey.current = newIdempotencyKey();
      router.push(`/analyses/${encodeURIComponent(analysis.id)}`);
    } catch (e) {
      // The monthly budget is not a wait-a-moment refusal: its message says when it resets.
      if (e instanceof ApiError && e.code === 'monthly_budget_exceeded') setError(`Cannot start: ${e.message}`);
      else if (e instanceof ApiError && e.status === 409) setError(`Cannot start yet: ${e.message}`);
      else if (e instanceof ApiError && e.status === 429) setError(`Too many analyses running: ${e.message}`);
      else setError(e instanceof Error ? e.message : String(e));
      setPending(false);
    }
  };

  return (
    <div className="start-analysis">
      <button type="button" className="button primary" disabled={disabled || pending} onClick={() => void start()}>
        {pending ? 'Starting…' : 'Start analysis'}
      </button>
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
    </div>
  );
}
