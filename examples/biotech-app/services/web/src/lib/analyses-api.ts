/**
 * Analysis routes of the Results contract the forms use: the parameters an analysis ran with
 * (`AnalysisOut.parameters`), reruns with a body, and the comparison of several analyses.
 */
import { newIdempotencyKey, type ApiClient } from './api';
import type { Parameters } from './parameters';
import type { Analysis, AnalysisStatus } from './types';

/** `AnalysisOut` with the parameters it ran with (null for analyses that did not store them). */
export interface AnalysisWithParameters extends Analysis {
  parameters?: Parameters | null;
}

/** The body of `POST /api/analyses/{id}/rerun`; no body reruns the same files with the same parameters. */
export interface RerunRequest {
  parameters?: Parameters;
  failedFilesOnly?: boolean;
}

export function getAnalysisWithParameters(api: ApiClient, analysisId: string, signal?: AbortSignal) {
  return api.request<AnalysisWithParameters>('GET', `/analyses/${encodeURIComponent(analysisId)}`, undefined, signal);
}

/** Reruns an analysis; pass the same `idempotencyKey` again when retrying the same click. */
export function rerun(api: ApiClient, analysisId: string, body: RerunRequest, idempotencyKey = newIdempotencyKey()) {
  return api.request<AnalysisWithParameters>(
    'POST',
    `/analyses/${encodeURIComponent(analysisId)}/rerun`,
    body,
    undefined,
    { 'Idempotency-Key': idempotencyKey },
  );
}

export function listSampleAnalyses(api: ApiClient, sampleId: string, signal?: AbortSignal) {
  return api.request<{ items: AnalysisWithParameters[] }>(
    'GET',
    `/samples/${encodeURIComponent(sampleId)}/analyses`,
    undefined,
    signal,
  );
}

/** The analyses that rerun `analysisId` (their `rerunOf`), newest first. */
export function rerunsOf(analyses: readonly Analysis[], analysisId: string): Analysis[] {
  return analyses
    .filter((a) => a.rerunOf === analysisId)
    .sort((x, y) => y.createdAt.localeCompare(x.createdAt) || y.id.localeCompare(x.id));
}

// ---------------------------------------------------------------- compare

export const COMPARE_MIN = 2;
export const COMPARE_MAX = 10;

export interface CompareCell {
  analysisId: string;
  coveragePercent: number | null;
  psms: number | null;
  peptides: number | null;
}

export interface Comparison {
  analyses: { id: string; sampleId: string; sampleName: string; createdAt: string; status: AnalysisStatus }[];
  proteins: { accession: string; description: string | null; cells: (CompareCell | null)[] }[];
}

/**
 * The analysis ids of a compare link (`?analysisIds=a,b`): trimmed, without blanks or repeats, in
 * the order given. A problem (fewer than 2, more than 10) is named so the page can say it.
 */
export function parseCompareIds(raw: string | null | undefined): { ids: string[]; problem: string | null } {
  const ids: string[] = [];
  for (const part of (raw ?? '').split(',')) {
    const id = part.trim();
    if (id && !ids.includes(id)) ids.push(id);
  }
  if (ids.length < COMPARE_MIN) {
    return { ids, problem: `Choose at least ${COMPARE_MIN} different analyses to compare (${ids.length} chosen).` };
  }
  if (ids.length > COMPARE_MAX) {
    return { ids, problem: `Compare at most ${COMPARE_MAX} analyses at a time (${ids.length} chosen).` };
  }
  return { ids, problem: null };
}

export function compareHref(ids: readonly string[]): string {
  return `/compare?analysisIds=${ids.map(encodeURIComponent).join(',')}`;
}

export function compareAnalyses(api: ApiClient, ids: readonly string[], signal?: AbortSignal) {
  return api.request<Comparison>(
    'GET',
    `/compare?analysisIds=${ids.map(encodeURIComponent).join(',')}`,
    undefined,
    signal,
  );
}
