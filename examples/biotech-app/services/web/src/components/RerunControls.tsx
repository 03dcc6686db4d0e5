'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { ApiError, newIdempotencyKey } from '@/lib/api';
import { listSampleAnalyses, rerun, rerunsOf, type AnalysisWithParameters } from '@/lib/analyses-api';
import { useAuth } from '@/lib/auth';
import { formatDate } from '@/lib/format';
import type { Parameters } from '@/lib/parameters';
import { isTerminal, type Analysis } from '@/lib/types';
import { ParametersForm } from './ParametersForm';
import { ParametersSummary } from './ParametersSummary';
import { startRefusal } from './StartAnalysisButton';
import { StatusBadge } from './StatusBadge';

/**
 * "Rerun with changes" (the parameters form, prefilled with this analysis's parameters) and
 * "Rerun failed files only"; each starts a new analysis linked to this one by `rerunOf` and opens
 * it. Lists the reruns of this analysis, so the earlier one leads to the later ones.
 */
export function RerunControls({ analysis }: { analysis: AnalysisWithParameters }) {
  const { api } = useAuth();
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [pendingFailed, setPendingFailed] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [reruns, setReruns] = useState<Analysis[]>([]);
  // One key per rerun that starts; reused when the same request is retried after a failure.
  const changedKey = useRef(newIdempotencyKey());
  const changedBody = useRef<string | null>(null);
  const failedKey = useRef(newIdempotencyKey());
  const terminal = isTerminal(analysis.status);

  useEffect(() => {
    let cancelled = false;
    listSampleAnalyses(api, analysis.sampleId).then(
      (list) => {
        if (!cancelled) setReruns(rerunsOf(list.items, analysis.id));
      },
      () => {
        // The links to reruns are a convenience; the sample page lists every analysis.
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, analysis.sampleId, analysis.id, analysis.status]);

  const open = (next: Analysis) => router.push(`/analyses/${encodeURIComponent(next.id)}`);

  const rerunWithChanges = async (parameters: Parameters) => {
    const body = JSON.stringify(parameters);
    if (changedBody.current !== null && changedBody.current !== body) changedKey.current = newIdempotencyKey();
    changedBody.current = body;
    const next = await rerun(api, analysis.id, { parameters }, changedKey.current);
    changedKey.current = newIdempotencyKey();
    changedBody.current = null;
    open(next);
  };

  const rerunFailed = async () => {
    setPendingFailed(true);
    setMessage(null);
    try {
      const next = await rerun(api, analysis.id, { failedFilesOnly: true }, failedKey.current);
      failedKey.current = newIdempotencyKey();
      open(next);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'nothing_to_rerun') {
        setMessage(`Nothing to rerun: ${e.message}`);
      } else {
        setMessage(startRefusal(e, 'rerun'));
      }
      setPendingFailed(false);
    }
  };

  return (
    <section className="card" aria-labelledby="rerun-title" data-testid="rerun-controls">
      <h2 id="rerun-title">Reruns</h2>
      {reruns.length > 0 ? (
        <div>
          <p>This analysis was run again; it is kept as it was.</p>
          <ul className="plain-list" aria-label="Reruns of this analysis">
            {reruns.map((r) => (
              <li key={r.id}>
                <Link href={`/analyses/${encodeURIComponent(r.id)}`}>Rerun started {formatDate(r.createdAt)}</Link>{' '}
                <StatusBadge status={r.status} />
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="muted">No reruns of this analysis yet.</p>
      )}
      {!terminal ? <p className="muted">Reruns can start once this analysis has finished.</p> : null}
      {terminal && !editing ? (
        <div className="form-actions">
          <button type="button" className="button" onClick={() => setEditing(true)}>
            Rerun with changes
          </button>
          {analysis.filesFailed > 0 ? (
            <button type="button" className="button" disabled={pendingFailed} onClick={() => void rerunFailed()}>
              {pendingFailed ? 'Starting…' : `Rerun failed files only (${analysis.filesFailed})`}
            </button>
          ) : null}
        </div>
      ) : null}
      <div role="alert">{message ? <p className="notice notice-error">{message}</p> : null}</div>
      {terminal && editing ? (
        <div>
          <h3>Rerun with changes</h3>
          <p className="muted">
            {analysis.parameters
              ? 'Prefilled with the parameters this analysis ran with. The same files are analysed again.'
              : 'This analysis did not record its parameters: the form starts from the defaults.'}
          </p>
          <ParametersForm
            initial={analysis.parameters}
            submitLabel="Start rerun"
            onSubmit={rerunWithChanges}
            onCancel={() => setEditing(false)}
            describeError={(e) => startRefusal(e, 'rerun')}
          />
        </div>
      ) : null}
    </section>
  );
}

/** The parameters of an analysis and its rerun controls, for the analysis page. */
export function AnalysisParametersPanel({ analysis }: { analysis: AnalysisWithParameters }) {
  return (
    <>
      <ParametersSummary parameters={analysis.parameters} />
      <RerunControls analysis={analysis} />
    </>
  );
}
