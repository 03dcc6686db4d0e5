'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { ErrorNotice } from '@/components/ErrorNotice';
import { MonthlyUsage } from '@/components/MonthlyUsage';
import { RequireAuth } from '@/components/RequireAuth';
import { useAuth } from '@/lib/auth';
import { formatDate } from '@/lib/format';
import type { Sample } from '@/lib/types';

function SampleList() {
  const { api } = useAuth();
  const [samples, setSamples] = useState<Sample[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');

  const [version, setVersion] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api.listSamples().then(
      (data) => {
        if (cancelled) return;
        setSamples([...data.items].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
        setError(null);
      },
      (e: unknown) => {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, version]);

  const remove = async (sample: Sample) => {
    if (!window.confirm(`Delete sample “${sample.name}” and its files?`)) return;
    try {
      await api.deleteSample(sample.id);
      setNotice(`Sample ${sample.name} deleted.`);
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

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
      {samples === null && !error ? <p className="muted">Loading samples…</p> : null}
      {samples && samples.length === 0 ? (
        <div className="card empty">
          <p>No samples yet.</p>
          <Link href="/samples/new" className="button primary">
            Create your first sample
          </Link>
        </div>
      ) : null}
      {samples && samples.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="Samples">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Files</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {samples.map((s) => (
                <tr key={s.id}>
                  <td data-label="Name">
                    <Link href={`/samples/${encodeURIComponent(s.id)}`}>{s.name}</Link>
                  </td>
                  <td data-label="Description">{s.description || <span className="muted">—</span>}</td>
                  <td data-label="Files">{s.fileCount}</td>
                  <td data-label="Created">{formatDate(s.createdAt)}</td>
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
