/** `GET /api/samples` with search, status filter and paging (Results contract, item 1). */
import type { ApiClient } from './api';
import type { AnalysisStatus, Sample } from './types';

/** A sample's latest analysis, or NONE when it has none yet. */
export type SampleStatusFilter = 'NONE' | AnalysisStatus;
export const SAMPLE_STATUS_FILTERS: readonly SampleStatusFilter[] = ['NONE', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED'];
export const SAMPLE_STATUS_TEXT: Record<SampleStatusFilter, string> = {
  NONE: 'No analysis yet',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  PARTIAL: 'Partly failed',
  FAILED: 'Failed',
};

export interface LatestAnalysis {
  id: string;
  status: AnalysisStatus;
  createdAt: string;
}

export interface SampleListItem extends Sample {
  latestAnalysis: LatestAnalysis | null;
}

export interface SampleList {
  items: SampleListItem[];
  total: number;
  offset: number;
  limit: number;
}

export interface SampleQuery {
  q?: string;
  status?: SampleStatusFilter | '';
  offset?: number;
  limit?: number;
}

export const SAMPLES_PAGE_SIZE = 25;
/** The API refuses a longer search text (422). */
export const SAMPLE_QUERY_MAX = 200;

/** The query string for a samples request: only what is set, the search text trimmed. */
export function samplesQueryString(query: SampleQuery): string {
  const params = new URLSearchParams();
  const q = query.q?.trim();
  if (q) params.set('q', q.slice(0, SAMPLE_QUERY_MAX));
  if (query.status) params.set('status', query.status);
  if (query.offset) params.set('offset', String(Math.max(0, Math.floor(query.offset))));
  params.set('limit', String(query.limit ?? SAMPLES_PAGE_SIZE));
  return params.toString();
}

export async function listSamplesPage(api: ApiClient, query: SampleQuery, signal?: AbortSignal): Promise<SampleList> {
  const page = await api.request<Partial<SampleList> & { items: SampleListItem[] }>(
    'GET',
    `/samples?${samplesQueryString(query)}`,
    undefined,
    signal,
  );
  return normalizeSamplePage(page, query);
}

/**
 * The page as the contract gives it; an API from before the paged list answers only `{items}`
 * (all of them, no latest analysis): that is read as one page holding everything.
 */
export function normalizeSamplePage(
  page: Partial<SampleList> & { items: SampleListItem[] },
  query: SampleQuery,
): SampleList {
  const items = page.items.map((s) => ({ ...s, latestAnalysis: s.latestAnalysis ?? null }));
  return {
    items,
    total: typeof page.total === 'number' ? page.total : items.length,
    offset: typeof page.offset === 'number' ? page.offset : (query.offset ?? 0),
    limit: typeof page.limit === 'number' ? page.limit : (query.limit ?? SAMPLES_PAGE_SIZE),
  };
}

/** "Samples 26–50 of 120" for a page of the list. */
export function pageRangeText(page: Pick<SampleList, 'offset' | 'total'>, shown: number): string {
  if (page.total === 0 || shown === 0) return 'No samples';
  return `Samples ${page.offset + 1}–${page.offset + shown} of ${page.total}`;
}
