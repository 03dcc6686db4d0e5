/** Display helpers of the PSM, peptide and protein tables (React-free, unit tested). */
import type { CellValue, TablePage } from './results-api';

export type SortState = { column: string; order: 'asc' | 'desc' } | null;

/** A click on a column header: sort by it ascending, then descending, then back to the file's order. */
export function nextSort(current: SortState, column: string): SortState {
  if (!current || current.column !== column) return { column, order: 'asc' };
  if (current.order === 'asc') return { column, order: 'desc' };
  return null;
}

/** "rows a–b of total" for the page shown. */
export function pageLabel(page: Pick<TablePage, 'offset' | 'rows' | 'total'>): string {
  if (page.total === 0 || page.rows.length === 0) return `rows 0–0 of ${page.total}`;
  return `rows ${page.offset + 1}–${page.offset + page.rows.length} of ${page.total}`;
}

const COLUMN_LABELS: Record<string, string> = {
  rtSeconds: 'RT (s)',
  precursorMz: 'Precursor m/z',
  eValue: 'E-value',
  bestEValue: 'Best E-value',
  ppmError: 'ppm error',
  qValue: 'q-value',
  peptideQValue: 'Peptide q-value',
  psms: 'PSMs',
  xcorr: 'XCorr',
  nativeId: 'Native ID',
  bestNativeId: 'Best native ID',
};

/** A header label for a worker column name (camelCase). */
export function columnLabel(column: string): string {
  if (COLUMN_LABELS[column]) return COLUMN_LABELS[column];
  const words = column.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A cell as shown: booleans as yes/no, empty cells as a dash, numbers as the API gives them. */
export function formatCell(value: CellValue | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}
