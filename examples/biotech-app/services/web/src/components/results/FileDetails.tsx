'use client';

import { useEffect, useState } from 'react';
import { CoverageMap, type PeptideSelection } from '@/components/results/CoverageMap';
import { ResultTables } from '@/components/results/ResultTables';
import type { ApiClient } from '@/lib/api';
import { getCoverage, outputOf, TABLE_KINDS, type Coverage, type ResultFile } from '@/lib/results-api';

/** The interactive parts of one succeeded file's result: coverage map and the PSM, peptide and protein tables it filters. */
export function FileDetails({ api, analysisId, result }: { api: ApiClient; analysisId: string; result: ResultFile }) {
  const [coverage, setCoverage] = useState<Coverage | null>(null);
  const [coverageError, setCoverageError] = useState<string | null>(null);
  const [selection, setSelection] = useState<PeptideSelection | null>(null);

  // A file searched without a protein sequence has no coverage and no identification tables.
  const hasCoverage = typeof result.coveragePercent === 'number';
  const outputs = new Set(result.downloads.map(outputOf));
  const tables = TABLE_KINDS.filter((k) => outputs.has(`${k}.csv`));

  useEffect(() => {
    if (!hasCoverage) return;
    const controller = new AbortController();
    getCoverage(api, analysisId, result.fileId, controller.signal)
      .then((c) => setCoverage(c))
      .catch((e: unknown) => {
        if (e instanceof Error && e.name === 'AbortError') return;
        setCoverageError(e instanceof Error ? e.message : String(e));
      });
    return () => controller.abort();
  }, [api, analysisId, result.fileId, hasCoverage]);

  const subject = result.proteinName || result.fileName;
  return (
    <div className="file-details">
      <h4>Coverage map</h4>
      {!hasCoverage ? (
        <p className="muted">No coverage: this file was searched without a protein sequence.</p>
      ) : coverageError ? (
        <p className="error-text">Could not load the coverage map ({coverageError}).</p>
      ) : coverage ? (
        <CoverageMap proteins={coverage.proteins} selected={selection} onSelect={setSelection} />
      ) : (
        <p className="muted">Loading the coverage map of {subject}…</p>
      )}
      {tables.length > 0 ? (
        <>
          <h4>Identifications</h4>
          <ResultTables
            api={api}
            analysisId={analysisId}
            fileId={result.fileId}
            subject={subject}
            kinds={tables}
            selection={selection}
            onClearSelection={() => setSelection(null)}
          />
        </>
      ) : null}
    </div>
  );
}
