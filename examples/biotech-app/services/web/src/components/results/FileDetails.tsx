'use client';

import { useEffect, useState } from 'react';
import { CoverageMap, type PeptideSelection } from '@/components/results/CoverageMap';
import { ResultTables } from '@/components/results/ResultTables';
import type { ApiClient } from '@/lib/api';
import { getCoverage, type Coverage, type ResultFile } from '@/lib/results-api';

/** The interactive parts of one succeeded file's result: coverage map and the PSM, peptide and protein tables it filters. */
export function FileDetails({ api, analysisId, result }: { api: ApiClient; analysisId: string; result: ResultFile }) {
  const [coverage, setCoverage] = useState<Coverage | null>(null);
  const [coverageError, setCoverageError] = useState<string | null>(null);
  const [selection, setSelection] = useState<PeptideSelection | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getCoverage(api, analysisId, result.fileId, controller.signal)
      .then((c) => setCoverage(c))
      .catch((e: unknown) => {
        if (e instanceof Error && e.name === 'AbortError') return;
        setCoverageError(e instanceof Error ? e.message : String(e));
      });
    return () => controller.abort();
  }, [api, analysisId, result.fileId]);

  const subject = result.proteinName || result.fileName;
  return (
    <div className="file-details">
      <h4>Coverage map</h4>
      {coverageError ? (
        <p className="error-text">Could not load the coverage map ({coverageError}).</p>
      ) : coverage ? (
        <CoverageMap proteins={coverage.proteins} selected={selection} onSelect={setSelection} />
      ) : (
        <p className="muted">Loading the coverage map of {subject}…</p>
      )}
      <h4>Identifications</h4>
      <ResultTables
        api={api}
        analysisId={analysisId}
        fileId={result.fileId}
        subject={subject}
        selection={selection}
        onClearSelection={() => setSelection(null)}
      />
    </div>
  );
}
