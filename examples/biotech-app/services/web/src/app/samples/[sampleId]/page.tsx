'use client';

import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { AddFiles } from '@/components/AddFiles';
import { ErrorNotice } from '@/components/ErrorNotice';
import { RequireAuth } from '@/components/RequireAuth';
import { StartAnalysisButton } from '@/components/StartAnalysisButton';
import { StatusBadge } from '@/components/StatusBadge';
import { COMPARE_MAX, compareHref } from '@/lib/analyses-api';
import { useAuth } from '@/lib/auth';
import { formatBytes, formatDate } from '@/lib/format';
import type { Analysis, Sample } from '@/lib/types';
import { failureSummary, useUploads } from '@/lib/use-uploads';

function SampleDetail({ sampleId }: { sampleId: string }) {
  const { api } = useAuth();
  const router = useRouter();
  const uploads = useUploads(api);
  const [sample, setSample] = useState<Sample | null>(null);
  const [analyses, setAnalyses] = useState<Analysis[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [lastResult, setLastResult] = useState('');
  const [picked, setPicked] = useState<string[]>([]);

  const [version, setVersion] = useState(0);
  const load = () => setVersion((v) => v + 1);

  useEffect(() => {
    let cancelled = false;
    Promise.all([api.getSample(sampleId), api.listAnalyses(sampleId)]).then(
      ([s, a]) => {
        if (cancelled) return;
        setSample(s);
        setAnalyses([...a.items].sort((x, y) => y.createdAt.localeCompare(x.createdAt)));
        setError(null);
      },
      (e: unknown) => {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, sampleId, version]);

  const files = sample?.files ?? [];
  const pendingUploads = files.some((f) => f.status === 'UPLOADING');
  const uploaded = files.filter((f) => f.status === 'UPLOADED').length;

  const uploadAll = async () => {
    const ok = await uploads.uploadAll(sampleId, files);
    setLastResult(ok ? 'Files uploaded.' : '');
    if (ok) uploads.clearDone();
    load();
  };

  const summary = uploads.busy
    ? 'Uploading files…'
    : failureSummary(uploads.entries) || lastResult;

  const remove = async () => {
    if (!sample || !window.confirm(`Delete sample “${sample.name}” and its files?`)) return;
    try {
      await api.deleteSample(sampleId);
      router.push('/');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  if (!sample) {
    return error ? <ErrorNotice error={error} /> : <p className="muted">Loading sample…</p>;
  }

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/">Samples</Link> <span aria-hidden="true">›</span> <span>{sample.name}</span>
      </nav>
      <div className="page-head">
        <h1>{sample.name}</h1>
        <button type="button" className="button danger" onClick={() => void remove()}>
          Delete sample
        </button>
      </div>
      {sample.description ? <p>{sample.description}</p> : null}
      <p className="muted">Created {formatDate(sample.createdAt)}</p>
      <ErrorNotice error={error} />

      <section className="card" aria-labelledby="files-title">
        <h2 id="files-title">Files</h2>
        {files.length === 0 ? <p className="muted">No files yet.</p> : null}
        {files.length > 0 ? (
          <div className="table-wrap">
            <table className="table" aria-labelledby="files-title">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Protein</th>
                  <th scope="col">Size</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {files.map((f) => (
                  <tr key={f.id}>
                    <td data-label="File">{f.fileName}</td>
                    <td data-label="Protein">{f.proteinName || <span className="muted">—</span>}</td>
                    <td data-label="Size">{formatBytes(f.sizeBytes)}</td>
                    <td data-label="Status">
                      <StatusBadge status={f.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {pendingUploads ? (
          <p className="muted">
            A file is still uploading. To resume an interrupted upload, add the same file again below: parts already
            stored are skipped.
          </p>
        ) : null}
        <h3>Add files</h3>
        <AddFiles uploads={uploads} disabled={uploads.busy} onRetry={(key) => void uploads.retry(sampleId, key, files).then(() => load())} />
        <p role="status" aria-live="polite" className="summary">
          {summary}
        </p>
        {uploads.entries.some((e) => e.status === 'ready') ? (
          <button type="button" className="button" disabled={uploads.busy} onClick={() => void uploadAll()}>
            Upload
          </button>
        ) : null}
      </section>

      <section className="card" aria-labelledby="analyses-title">
        <h2 id="analyses-title">Analyses</h2>
        {analyses.length === 0 ? <p className="muted">No analyses yet.</p> : null}
        {analyses.length > 0 ? (
          <fieldset className="plain-fieldset">
            <legend className="visually-hidden">Analyses to compare</legend>
            <ul className="plain-list">
              {analyses.map((a) => (
                <li key={a.id} className="analysis-item">
                  <input
                    type="checkbox"
                    id={`compare-${a.id}`}
                    checked={picked.includes(a.id)}
                    disabled={!picked.includes(a.id) && picked.length >= COMPARE_MAX}
                    onChange={(e) =>
                      setPicked((p) => (e.target.checked ? [...p, a.id] : p.filter((x) => x !== a.id)))
                    }
                  />
                  <label htmlFor={`compare-${a.id}`} className="visually-hidden">
                    Compare the analysis of {formatDate(a.createdAt)}
                  </label>
                  <Link href={`/analyses/${encodeURIComponent(a.id)}`}>Analysis of {formatDate(a.createdAt)}</Link>{' '}
                  <StatusBadge status={a.status} /> <span className="muted">attempt {a.attempt}</span>
                  {a.rerunOf ? <span className="muted"> · a rerun</span> : null}
                </li>
              ))}
            </ul>
          </fieldset>
        ) : null}
        {analyses.length >= 2 ? (
          <div className="form-actions compare-bar">
            {picked.length >= 2 ? (
              <Link className="button" href={compareHref(picked)}>
                Compare {picked.length} analyses
              </Link>
            ) : (
              <span className="muted">Tick two or more analyses to compare them side by side.</span>
            )}
          </div>
        ) : null}
      </section>

      <section className="card" aria-labelledby="start-title">
        <h2 id="start-title">Start an analysis</h2>
        <StartAnalysisButton
          sampleId={sampleId}
          disabled={uploaded === 0 || pendingUploads || uploads.busy}
          note={uploaded === 0 ? <p className="muted">Upload at least one file to start an analysis.</p> : null}
        />
      </section>
    </>
  );
}

export default function SamplePage() {
  const params = useParams<{ sampleId: string }>();
  return <RequireAuth>{params.sampleId ? <SampleDetail sampleId={params.sampleId} /> : null}</RequireAuth>;
}
