'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useMemo, useState } from 'react';
import { ErrorNotice } from '@/components/ErrorNotice';
import { RequireAuth } from '@/components/RequireAuth';
import { StatusBadge } from '@/components/StatusBadge';
import { compareAnalyses, parseCompareIds, type Comparison } from '@/lib/analyses-api';
import { useAuth } from '@/lib/auth';
import { formatDate, formatPercent } from '@/lib/format';

function analysisLabel(a: Comparison['analyses'][number]): string {
  return `${a.sampleName}, ${formatDate(a.createdAt)}`;
}

function CompareView({ raw }: { raw: string | null }) {
  const { api } = useAuth();
  const { ids, problem } = useMemo(() => parseCompareIds(raw), [raw]);
  const [data, setData] = useState<Comparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = ids.join(',');

  useEffect(() => {
    if (problem) return;
    const controller = new AbortController();
    compareAnalyses(api, key.split(','), controller.signal).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => controller.abort();
  }, [api, key, problem]);

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/">Samples</Link> <span aria-hidden="true">›</span> <span>Compare</span>
      </nav>
      <h1>Compare analyses</h1>
      <ErrorNotice error={problem ?? error} />
      {problem ? (
        <p>
          Pick the analyses on the <Link href="/">samples list</Link> or on a sample&apos;s page.
        </p>
      ) : null}
      {!problem && !data && !error ? <p className="muted">Loading the comparison…</p> : null}
      {data ? (
        <>
          <section className="card" aria-labelledby="compared-title">
            <h2 id="compared-title">Analyses</h2>
            <ol className="plain-list">
              {data.analyses.map((a) => (
                <li key={a.id}>
                  <Link href={`/analyses/${encodeURIComponent(a.id)}`}>{analysisLabel(a)}</Link>{' '}
                  <StatusBadge status={a.status} />
                </li>
              ))}
            </ol>
          </section>
          <section aria-labelledby="proteins-title">
            <h2 id="proteins-title">Proteins side by side</h2>
            <p className="muted">
              Per protein: the highest coverage over each analysis&apos;s files, and its PSMs and peptides summed. A dash
              means that analysis did not report the protein.
            </p>
            {data.proteins.length === 0 ? (
              <p className="muted">None of these analyses reported a protein.</p>
            ) : (
              <div className="table-wrap">
                <table className="table compact compare-table" data-testid="compare-table">
                  <caption className="visually-hidden">
                    Coverage, PSMs and peptides per protein for {data.analyses.length} analyses
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col" rowSpan={2}>
                        Protein
                      </th>
                      {data.analyses.map((a) => (
                        <th key={a.id} scope="colgroup" colSpan={3} className="group">
                          {analysisLabel(a)}
                        </th>
                      ))}
                    </tr>
                    <tr>
                      {data.analyses.map((a) => (
                        <FragmentHeaders key={a.id} />
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {data.proteins.map((p) => (
                      <tr key={p.accession}>
                        <th scope="row">
                          {p.accession}
                          {p.description ? <span className="muted protein-desc"> {p.description}</span> : null}
                        </th>
                        {data.analyses.map((a, i) => {
                          const cell = p.cells[i];
                          if (!cell) {
                            return (
                              <td key={a.id} colSpan={3} className="num muted">
                                —<span className="visually-hidden"> not reported</span>
                              </td>
                            );
                          }
                          return (
                            <CellGroup
                              key={a.id}
                              coverage={cell.coveragePercent}
                              psms={cell.psms}
                              peptides={cell.peptides}
                            />
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}

function FragmentHeaders() {
  return (
    <>
      <th scope="col" className="num">
        Coverage
      </th>
      <th scope="col" className="num">
        PSMs
      </th>
      <th scope="col" className="num">
        Peptides
      </th>
    </>
  );
}

function CellGroup({ coverage, psms, peptides }: { coverage: number | null; psms: number | null; peptides: number | null }) {
  return (
    <>
      <td className="num">{formatPercent(coverage)}</td>
      <td className="num">{psms ?? '–'}</td>
      <td className="num">{peptides ?? '–'}</td>
    </>
  );
}

function CompareFromUrl() {
  const params = useSearchParams();
  return <CompareView raw={params.get('analysisIds')} />;
}

export default function ComparePage() {
  return (
    <RequireAuth>
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <CompareFromUrl />
      </Suspense>
    </RequireAuth>
  );
}
