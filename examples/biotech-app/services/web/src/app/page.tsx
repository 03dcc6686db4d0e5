'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { ErrorNotice } from '@/components/ErrorNotice';
import { MonthlyUsage } from '@/components/MonthlyUsage';
import { RequireAuth } from '@/components/RequireAuth';
import { StatusBadge } from '@/components/StatusBadge';
import { COMPARE_MAX, compareHref } from '@/lib/analyses-api';
import { useAuth } from '@/lib/auth';
import { formatDate } from '@/lib/format';
import {
  SAMPLES_PAGE_SIZE,
  SAMPLE_QUERY_MAX,
  SAMPLE_STATUS_FILTERS,
  SAMPLE_STATUS_TEXT,
  listSamplesPage,
  pageRangeText,
  type SampleList as SamplePage,
  type SampleListItem,
  type SampleStatusFilter,
} from '@/lib/samples-api';
import { useDebounced } from '@/lib/use-debounced';

function SampleList() {
  const { api } = useAuth();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<SampleStatusFilter | ''>('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<SamplePage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [version, setVersion] = useState(0);
  // Latest analyses picked for comparison, by analysis id (kept across pages and searches).
  const [picked, setPicked] = useState<Map<string, string>>(new Map());
  const q = useDebounced(query, 300);

  useEffect(() => {
    const controller = new AbortController();
    listSamplesPage(api, { q, status, offset, limit: SAMPLES_PAGE_SIZE }, controller.signal).then(
      (data) => {
        setPage(data);
        setError(null);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => controller.abort();
  }, [api, q, status, offset, version]);

  const remove = async (sample: SampleListItem) => {
    if (!window.confirm(`Delete sample “${sample.name}” and its files?`)) return;
    try {
      await api.deleteSample(sample.id);
      setNotice(`Sample ${sample.name} deleted.`);
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const togglePick = (sample: SampleListItem, on: boolean) => {
    const id = sample.latestAnalysis?.id;
    if (!id) return;
    setPicked((prev) => {
      const next = new Map(prev);
      if (on) next.set(id, sample.name);
      else next.delete(id);
      return next;
    });
  };

  const filtered = q.trim() !== '' || status !== '';
  const items = page?.items ?? [];
  const pickedIds = [...picked.keys()];
  const resultText = page
    ? `${pageRangeText(page, items.length)}${filtered ? ' match the search' : ''}.`
    : '';

  return (
    <>
      <div className="page-head">
        <h1>Samples</h1>
        <Link href="/samples/new" className="button primary">
          New sample
        </Link>
      </div>
      <MonthlyUsage />
      <ErrorNotice error={error} />
      <p role="status" aria-live="polite" className="muted">
        {notice}
      </p>
      <div role="search" className="filters" aria-label="Find samples">
        <label>
          Search name or description
          <input
            type="search"
            value={query}
            maxLength={SAMPLE_QUERY_MAX}
            onChange={(e) => {
              setQuery(e.target.value);
              setOffset(0);
            }}
          />
        </label>
        <label>
          Status of the latest analysis
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as SampleStatusFilter | '');
              setOffset(0);
            }}
          >
            <option value="">Any status</option>
            {SAMPLE_STATUS_FILTERS.map((s) => (
              <option key={s} value={s}>
                {SAMPLE_STATUS_TEXT[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p role="status" aria-live="polite" className="muted" data-testid="samples-count">
        {resultText}
      </p>
      {page === null && !error ? <p className="muted">Loading samples…</p> : null}
      {page && page.total === 0 && !filtered ? (
        <div className="card empty">
          <p>No samples yet.</p>
          <Link href="/samples/new" className="button primary">
            Create your first sample
          </Link>
        </div>
      ) : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="Samples">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Files</th>
                <th scope="col">Created</th>
                <th scope="col">Latest analysis</th>
                <th scope="col">Compare</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <td data-label="Name">
                    <Link href={`/samples/${encodeURIComponent(s.id)}`}>{s.name}</Link>
                  </td>
                  <td data-label="Description">{s.description || <span className="muted">—</span>}</td>
                  <td data-label="Files">{s.fileCount}</td>
                  <td data-label="Created">{formatDate(s.createdAt)}</td>
                  <td data-label="Latest analysis">
                    {s.latestAnalysis ? (
                      <Link href={`/analyses/${encodeURIComponent(s.latestAnalysis.id)}`}>
                        <StatusBadge status={s.latestAnalysis.status} />
                        <span className="visually-hidden"> analysis of {s.name}</span>
                      </Link>
                    ) : (
                      <span className="muted">None yet</span>
                    )}
                  </td>
                  <td data-label="Compare">
                    {s.latestAnalysis ? (
                      <input
                        type="checkbox"
                        aria-label={`Compare the latest analysis of ${s.name}`}
                        checked={picked.has(s.latestAnalysis.id)}
                        disabled={!picked.has(s.latestAnalysis.id) && picked.size >= COMPARE_MAX}
                        onChange={(e) => togglePick(s, e.target.checked)}
                      />
                    ) : null}
                  </td>
                  <td className="actions">
                    <button type="button" className="button small danger" onClick={() => void remove(s)}>
                      Delete<span className="visually-hidden"> {s.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {page && page.total > 0 && items.length === 0 ? <p className="muted">No samples on this page.</p> : null}
      {page && filtered && page.total === 0 ? <p className="muted">No sample matches; change the search or the status.</p> : null}
      {page && page.total > 0 ? (
        <nav className="pager" aria-label="Sample pages">
          <button
            type="button"
            className="button small"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - SAMPLES_PAGE_SIZE))}
          >
            Previous page
          </button>
          <span>
            Page {Math.floor(offset / SAMPLES_PAGE_SIZE) + 1} of {Math.max(1, Math.ceil(page.total / SAMPLES_PAGE_SIZE))}
          </span>
          <button
            type="button"
            className="button small"
            disabled={offset + SAMPLES_PAGE_SIZE >= page.total}
            onClick={() => setOffset(offset + SAMPLES_PAGE_SIZE)}
          >
            Next page
          </button>
        </nav>
      ) : null}
      {picked.size > 0 ? (
        <div className="form-actions compare-bar">
          <span>
            {picked.size} picked: {[...picked.values()].join(', ')}
          </span>
          {picked.size >= 2 ? (
            <Link className="button primary" href={compareHref(pickedIds)}>
              Compare {picked.size} analyses
            </Link>
          ) : (
            <span className="muted">Pick at least one more to compare.</span>
          )}
          <button type="button" className="button small" onClick={() => setPicked(new Map())}>
            Clear
          </button>
        </div>
      ) : null}
    </>
  );
}

export default function HomePage() {
  return (
    <RequireAuth>
      <SampleList />
    </RequireAuth>
  );
}
