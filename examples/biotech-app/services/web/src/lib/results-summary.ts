import { formatPercent } from './format';
import type { ResultFile } from './results-api';

/** One row of the analysis-summary table: the figures of one file, formatted for display. */
export interface SummaryRow {
  fileId: string;
  protein: string;
  fileName: string;
  coverage: string;
  peptides: string;
  psms: string;
  identificationRate: string;
  medianAbsPpm: string;
  status: string;
  reason: string;
  qcFlags: string[];
}

function count(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '–';
}

/** A 0..1 rate as a percentage with one decimal. */
export function formatRate(rate: number | null | undefined): string {
  return typeof rate === 'number' && Number.isFinite(rate) ? formatPercent(rate * 100) : '–';
}

export function formatPpm(ppm: number | null | undefined): string {
  return typeof ppm === 'number' && Number.isFinite(ppm) ? `${ppm.toFixed(2)} ppm` : '–';
}

/** The analysis-summary table: one row per file, in the API's order. */
export function summaryRows(files: ResultFile[]): SummaryRow[] {
  return files.map((f) => ({
    fileId: f.fileId,
    protein: f.proteinName || '–',
    fileName: f.fileName,
    coverage: formatPercent(f.coveragePercent),
    peptides: count(f.peptidesAccepted),
    psms: count(f.psmsAccepted),
    identificationRate: formatRate(f.identificationRate),
    medianAbsPpm: formatPpm(f.medianAbsPpm),
    status: f.status,
    reason: f.reason ?? '',
    qcFlags: f.qcFlags ?? [],
  }));
}
