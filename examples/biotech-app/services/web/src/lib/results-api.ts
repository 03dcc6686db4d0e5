/**
 * Client of the results routes (downloads, tables, coverage, archive) and the shapes they answer.
 * JSON routes go through `ApiClient.request`; CSV and zip bodies are fetched here with the same
 * bearer token and saved under the name the API gives in `Content-Disposition`.
 */
import { ApiError, apiErrorOf, type ApiClient } from './api';
import type { AnalysisResults, FileResult } from './types';

export type DownloadKind = 'table' | 'plot' | 'summary' | 'report' | 'error';

/** One output of a file in `GET /analyses/{id}/results`. */
export interface ResultDownload {
  /** Stable download name: `<sample>_<protein>_<file>_<output>`. */
  name: string;
  /** The worker's own output name, e.g. `peptides.csv`, `coverage_map.png`. */
  output?: string;
  kind?: DownloadKind;
  /** Presigned when the results were read; ask `freshDownload` for a new one on click. */
  url: string;
}

/** A file's result with the QC figures the results page shows. */
export interface ResultFile extends Omit<FileResult, 'downloads'> {
  /** MS2 identification rate, 0..1. */
  identificationRate?: number | null;
  /** Median absolute precursor mass error of accepted PSMs, ppm. */
  medianAbsPpm?: number | null;
  qcFlags?: string[];
  downloads: ResultDownload[];
}

export interface ResultsWithQc extends Omit<AnalysisResults, 'files'> {
  files: ResultFile[];
}

/** `GET …/files/{fileId}/downloads/{output}`. */
export interface FreshDownload {
  name: string;
  output: string;
  kind: DownloadKind;
  url: string;
  expiresAt: string;
}

export const TABLE_KINDS = ['psms', 'peptides', 'proteins'] as const;
export type TableKind = (typeof TABLE_KINDS)[number];

export type CellValue = string | number | boolean | null;

/** `GET …/files/{fileId}/tables/{kind}`. */
export interface TablePage {
  kind: TableKind;
  columns: string[];
  rows: Record<string, CellValue>[];
  total: number;
  offset: number;
  limit: number;
}

export interface TableQuery {
  offset?: number;
  limit?: number;
  sort?: string | null;
  order?: 'asc' | 'desc';
  filter?: string;
  accepted?: boolean | null;
  peptide?: string | null;
  protein?: string | null;
}

export interface CoveragePeptide {
  peptide: string;
  /** 1-based inclusive positions in `sequence`; null when the peptide was not placed. */
  start: number | null;
  end: number | null;
  psms: number;
  bestQValue: number | null;
  accepted: boolean;
}

export interface CoverageProtein {
  accession: string;
  description: string | null;
  length: number | null;
  percent: number | null;
  sequence: string | null;
  /** One character per residue: `.` not covered, anything else covered by an accepted peptide. */
  residueCoverage: string;
  peptides: CoveragePeptide[];
}

/** `GET …/files/{fileId}/coverage`. */
export interface Coverage {
  fileId: string;
  proteins: CoverageProtein[];
}

const enc = encodeURIComponent;

function filePath(analysisId: string, fileId: string): string {
  return `/analyses/${enc(analysisId)}/files/${enc(fileId)}`;
}

/**
 * The query string of a table request, only with the parameters that are set (the API's defaults
 * apply to the rest). `paged: false` leaves out offset and limit (the CSV export).
 */
export function tableQueryString(query: TableQuery, paged = true): string {
  const params = new URLSearchParams();
  if (paged) {
    params.set('offset', String(Math.max(0, Math.trunc(query.offset ?? 0))));
    params.set('limit', String(Math.min(500, Math.max(1, Math.trunc(query.limit ?? 50)))));
  }
  if (query.sort) {
    params.set('sort', query.sort);
    params.set('order', query.order ?? 'asc');
  }
  const filter = query.filter?.trim();
  if (filter) params.set('filter', filter);
  if (typeof query.accepted === 'boolean') params.set('accepted', String(query.accepted));
  if (query.peptide) params.set('peptide', query.peptide);
  if (query.protein) params.set('protein', query.protein);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The file name in a `Content-Disposition` header (`filename*=UTF-8''…` first), or null. */
export function filenameFromContentDisposition(header: string | null | undefined): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // malformed escape: fall back to the plain parameter
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(header);
  if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
  const bare = /filename\s*=\s*([^;\s]+)/.exec(header);
  return bare ? bare[1] : null;
}


export interface FetchedFile {
  blob: Blob;
  /** From `Content-Disposition`, else the fallback given. */
  name: string;
}

/** GETs a non-JSON body (CSV, zip) with the bearer token; API errors become `ApiError`. */
export async function fetchFile(
  api: ApiClient,
  path: string,
  fallbackName: string,
  signal?: AbortSignal,
  basePath = '/api',
): Promise<FetchedFile> {
  const token = await api.getToken();
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`${basePath}${path}`, { headers, signal, cache: 'no-store' });
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached. Check your connection.');
  }
  if (response.status === 401) api.onUnauthorized();
  if (!response.ok) throw await apiErrorOf(response);
  const name = filenameFromContentDisposition(response.headers.get('Content-Disposition')) ?? fallbackName;
  return { blob: await response.blob(), name };
}

export function getResultsWithQc(api: ApiClient, analysisId: string, signal?: AbortSignal) {
  return api.request<ResultsWithQc>('GET', `/analyses/${enc(analysisId)}/results`, undefined, signal);
}

/** A freshly presigned link for one output (contract item 5). */
export function freshDownload(api: ApiClient, analysisId: string, fileId: string, output: string) {
  return api.request<FreshDownload>('GET', `${filePath(analysisId, fileId)}/downloads/${enc(output)}`);
}

/** One page of a file's PSM, peptide or protein table (contract item 6). */
export function getTable(
  api: ApiClient,
  analysisId: string,
  fileId: string,
  kind: TableKind,
  query: TableQuery,
  signal?: AbortSignal,
) {
  return api.request<TablePage>(
    'GET',
    `${filePath(analysisId, fileId)}/tables/${kind}${tableQueryString(query)}`,
    undefined,
    signal,
  );
}

/** The whole table as CSV, same filter and sort, no paging (contract item 7). */
export function exportTableCsv(api: ApiClient, analysisId: string, fileId: string, kind: TableKind, query: TableQuery) {
  return fetchFile(api, `${filePath(analysisId, fileId)}/tables/${kind}.csv${tableQueryString(query, false)}`, `${kind}.csv`);
}

/** Coverage of a file's proteins with sequence and placed peptides (contract item 8). */
export function getCoverage(api: ApiClient, analysisId: string, fileId: string, signal?: AbortSignal) {
  return api.request<Coverage>('GET', `${filePath(analysisId, fileId)}/coverage`, undefined, signal);
}

/** Every output of every file as one zip (contract item 9). */
export function downloadArchive(api: ApiClient, analysisId: string) {
  return fetchFile(api, `/analyses/${enc(analysisId)}/archive.zip`, `analysis_${analysisId}.zip`);
}

/** The worker's output name of a download: `output`, else `name` (older answers named outputs so). */
export function outputOf(download: ResultDownload): string {
  return download.output ?? download.name;
}

/** Saves a blob under `name` through a temporary object URL (browser only). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** What the page says when "Download all (zip)" fails; a 413 says the archive is too large and what to do. */
export function archiveErrorText(error: unknown): string {
  if (error instanceof ApiError && error.status === 413) {
    return `The archive is too large to download as one zip. ${error.message} Download the files one by one below.`;
  }
  return `Could not download the archive: ${error instanceof Error ? error.message : String(error)}`;
}
