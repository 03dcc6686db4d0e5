'use client';

import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { ErrorNotice } from '@/components/ErrorNotice';
import { RequireAuth } from '@/components/RequireAuth';
import { AnalysisParametersPanel } from '@/components/RerunControls';
import { StatusBadge } from '@/components/StatusBadge';
import { newIdempotencyKey, type ApiClient } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { formatDate } from '@/lib/format';
import { pollUntil } from '@/lib/poll';
import { DownloadAll, FileDownloads } from '@/components/results/Downloads';
import { FileDetails } from '@/components/results/FileDetails';
import { PlotGallery } from '@/components/results/PlotGallery';
import { SummaryTable } from '@/components/results/SummaryTable';
import { resultMetrics } from '@/lib/results';
import { getResultsWithQc, type ResultFile, type ResultsWithQc } from '@/lib/results-api';
import { isTerminal, type Analysis } from '@/lib/types';
import './results.css';

const statusText: Record<Analysis['status'], string> = {
  RUNNING: 'The analysis is running. This page updates by itself.',
  SUCCEEDED: 'The analysis finished successfully.',
  PARTIAL: 'The analysis finished, but some files failed.',
  FAILED: 'The analysis failed.',
};

const LABELS: Record<string, string> = {
  ms1: 'MS1 spectra',
  ms2: 'MS2 spectra',
  msn: 'MSn spectra',
  psmsPrecursor: 'PSMs (precursor)',
  psmsFragmentConfirmed: 'PSMs (fragment-confirmed)',
  peptidesPrecursorOnly: 'Peptides (precursor only)',
  peptidesFragmentConfirmed: 'Peptides (fragment-confirmed)',
  psmsAccepted: 'PSMs (accepted at FDR threshold)',
  peptidesAccepted: 'Peptides (accepted)',
  proteinGroupsAccepted: 'Protein groups (accepted)',
  precursorsWithCharge: 'Precursors with charge',
  precursorsChargeUnknown: 'Precursors, charge unknown',
  tic: 'Total ion current',
};

function humanize(key: string): string {
  if (LABELS[key]) return LABELS[key];
  return key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());
}

function ResultCard({ api, analysisId, result }: { api: ApiClient; analysisId: string; result: ResultFile }) {
  const plots = result.downloads.filter((d) => d.kind === 'plot' || /\.png$/i.test(d.name));
  const headingId = `result-${result.fileId}`;
  const subject = result.proteinName || result.fileName;
  return (
    <article className="card result" aria-labelledby={headingId} data-testid="result-card">
      <div className="result-head">
        <h3 id={headingId}>{result.proteinName || result.fileName}</h3>
        <StatusBadge status={result.status} />
      </div>
      <p className="muted">{result.fileName}</p>
      {result.reason ? <p className="error-text">{result.reason}</p> : null}
      <dl className="metrics">
        {resultMetrics(result).map((m) => (
          <div key={m.label}>
            <dt>{m.label}</dt>
            <dd data-testid={m.testId}>{m.value}</dd>
          </div>
        ))}
      </dl>
      {result.counts && Object.keys(result.counts).length > 0 ? (
        <table className="table compact counts" aria-label={`Class counts for ${result.proteinName || result.fileName}`}>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Count</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(result.counts).map(([k, v]) => (
              <tr key={k}>
                <td>{humanize(k)}</td>
                <td className="num">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <PlotGallery plots={plots} subject={subject} />
      {result.status === 'SUCCEEDED' ? <FileDetails api={api} analysisId={analysisId} result={result} /> : null}
      <FileDownloads api={api} analysisId={analysisId} fileId={result.fileId} downloads={result.downloads} />
    </article>
  );
}

function AnalysisView({ analysisId }: { analysisId: string }) {
  const { api } = useAuth();
  const router = useRouter();
  const [analysis, setAnalysis] = useState<Analysis | null>(null);
  const [results, setResults] = useState<ResultsWithQc | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const [rerunning, setRerunning] = useState(false);
  // Reused when "Run again" is retried after a failure, renewed once a rerun started.
  const rerunKey = useRef(newIdempotencyKey());

  useEffect(() => {
    const controller = new AbortController();
    void pollUntil(
      async () => {
        const a = await api.getAnalysis(analysisId, controller.signal);
        setAnalysis(a);
        setPollError(null);
        if (!isTerminal(a.status)) return false;
        const r = await getResultsWithQc(api, analysisId, controller.signal);
        setResults(r);
        return true;
      },
      {
        signal: controller.signal,
        onError: (e) => setPollError(e instanceof Error ? e.message : String(e)),
      },
    );
    return () => controller.abort();
  }, [api, analysisId]);

  const rerun = async () => {
    setRerunning(true);
    try {
      const next = await api.rerunAnalysis(analysisId, rerunKey.current);
      rerunKey.current = newIdempotencyKey();
      router.push(`/analyses/${encodeURIComponent(next.id)}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setRerunning(false);
    }
  };

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/">Samples</Link>
        {analysis ? (
          <>
            {' '}
            <span aria-hidden="true">›</span>{' '}
            <Link href={`/samples/${encodeURIComponent(analysis.sampleId)}`}>Sample</Link>
          </>
        ) : null}{' '}
        <span aria-hidden="true">›</span> <span>Analysis</span>
      </nav>
      <h1>Analysis</h1>
      <ErrorNotice error={error} />
      <section className="card" aria-labelledby="status-title">
        <h2 id="status-title">Status</h2>
        <div role="status" aria-live="polite" data-testid="analysis-status" className="status-line">
          {analysis ? (
            <>
              <StatusBadge status={analysis.status} /> {statusText[analysis.status]}
              {analysis.status === 'RUNNING' ? <span className="spinner" aria-hidden="true" /> : null}
            </>
          ) : (
            'Loading…'
          )}
        </div>
        {pollError ? <p className="error-text">Could not refresh the status ({pollError}); trying again.</p> : null}
        {analysis ? (
          <dl className="metrics">
            <div>
              <dt>Started</dt>
              <dd>{formatDate(analysis.createdAt)}</dd>
            </div>
            <div>
              <dt>Completed</dt>
              <dd>{formatDate(analysis.completedAt)}</dd>
            </div>
            <div>
              <dt>Attempt</dt>
              <dd>{analysis.attempt}</dd>
            </div>
            <div>
              <dt>Files succeeded / failed</dt>
              <dd>
                {analysis.filesSucceeded} / {analysis.filesFailed}
              </dd>
            </div>
            {typeof analysis.estimatedCostUsd === 'number' ? (
              <div>
                <dt>Estimated compute cost</dt>
                <dd>{`$${analysis.estimatedCostUsd.toFixed(4)}`}</dd>
              </div>
            ) : null}
          </dl>
        ) : null}
        {analysis?.cause ? <p className="error-text">Cause: {analysis.cause}</p> : null}
        {analysis?.rerunOf ? (
          <p className="muted">
            Rerun of <Link href={`/analyses/${encodeURIComponent(analysis.rerunOf)}`}>{analysis.rerunOf}</Link>; that
            analysis and its results are kept as they were.
          </p>
        ) : null}
        {analysis && (analysis.status === 'FAILED' || analysis.status === 'PARTIAL') ? (
          <button type="button" className="button" disabled={rerunning} onClick={() => void rerun()}>
            {rerunning ? 'Starting…' : 'Run again'}
          </button>
        ) : null}
      </section>
      {analysis ? <AnalysisParametersPanel analysis={analysis} /> : null}
      {results ? (
        <section aria-labelledby="results-title">
          <h2 id="results-title">Results per protein</h2>
          {results.files.length === 0 ? <p className="muted">No per-file results.</p> : <SummaryTable files={results.files} />}
          {results.files.some((f) => f.downloads.length > 0) ? <DownloadAll api={api} analysisId={analysisId} /> : null}
          <div className="results-stack">
            {results.files.map((f) => (
              <ResultCard key={f.fileId} api={api} analysisId={analysisId} result={f} />
            ))}
          </div>
        </section>
      ) : null}
    </>
  );
}

export default function AnalysisPage() {
  const params = useParams<{ analysisId: string }>();
  return <RequireAuth>{params.analysisId ? <AnalysisView analysisId={params.analysisId} /> : null}</RequireAuth>;
}
