import type {
  Analysis,
  AnalysisResults,
  CreateFileResponse,
  Me,
  Sample,
  SampleFile,
  Usage,
} from './types';
import type { CompletedPart, PresignedPart, UploadedPart } from './upload';

/** An error answer of the API (`{error: {code, message}}`) or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API's `{ error: { code, message } }` body as an `ApiError`; the status text when not JSON. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText || `Request failed with status ${response.status}`;
  try {
    const data = (await response.json()) as { error?: { code?: string; message?: string } };
    if (data?.error?.code) code = data.error.code;
    if (data?.error?.message) message = data.error.message;
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(response.status, code, message);
}

export type TokenSource = () => Promise<string | null>;

/**
 * A fresh `Idempotency-Key` for one user action (a click on "Start analysis" or "Run again").
 * Send the same key when that action is retried (e.g. after a network error): the API answers
 * with the analysis the first attempt created instead of starting a second one.
 */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/**
 * Thin client of the same-origin API (`/api/...`). Every call carries the
 * bearer token given by `getToken`; `onUnauthorized` runs on a 401.
 */
export class ApiClient {
  constructor(
    // Readable by the results client (src/lib/results-api.ts), which fetches CSV and zip bodies.
    readonly getToken: TokenSource,
    readonly onUnauthorized: () => void = () => {},
    private readonly basePath = '/api',
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const token = await this.getToken();
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.basePath}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        cache: 'no-store',
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') throw error;
      throw new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached. Check your connection.');
    }
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw await apiErrorOf(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  me() {
    return this.request<Me>('GET', '/me');
  }
  /** The estimated cost of this month's analyses and the monthly budget. */
  usage() {
    return this.request<Usage>('GET', '/me/usage');
  }
  listSamples() {
    return this.request<{ items: Sample[] }>('GET', '/samples');
  }
  createSample(name: string, description?: string) {
    return this.request<Sample>('POST', '/samples', { name, ...(description ? { description } : {}) });
  }
  getSample(sampleId: string) {
    return this.request<Sample>('GET', `/samples/${enc(sampleId)}`);
  }
  deleteSample(sampleId: string) {
    return this.request<void>('DELETE', `/samples/${enc(sampleId)}`);
  }
  createFile(
    sampleId: string,
    input: { fileName: string; sizeBytes: number; proteinName?: string; sequence?: string },
  ) {
    return this.request<CreateFileResponse>('POST', `/samples/${enc(sampleId)}/files`, input);
  }
  presignParts(sampleId: string, fileId: string, partNumbers: number[], signal?: AbortSignal) {
    return this.request<{ parts: PresignedPart[] }>(
      'POST',
      `/samples/${enc(sampleId)}/files/${enc(fileId)}/parts`,
      { partNumbers },
      signal,
    );
  }
  listParts(sampleId: string, fileId: string, signal?: AbortSignal) {
    return this.request<{ parts: UploadedPart[] }>(
      'GET',
      `/samples/${enc(sampleId)}/files/${enc(fileId)}/parts`,
      undefined,
      signal,
    );
  }
  completeFile(sampleId: string, fileId: string, parts: CompletedPart[], signal?: AbortSignal) {
    return this.request<SampleFile>(
      'POST',
      `/samples/${enc(sampleId)}/files/${enc(fileId)}/complete`,
      { parts },
      signal,
    );
  }
  abortFile(sampleId: string, fileId: string) {
    return this.request<void>('POST', `/samples/${enc(sampleId)}/files/${enc(fileId)}/abort`);
  }
  /** Starts an analysis; pass the same `idempotencyKey` again when retrying the same click. */
  startAnalysis(sampleId: string, parameters?: Record<string, unknown>, idempotencyKey = newIdempotencyKey()) {
    return this.request<Analysis>(
      'POST',
      `/samples/${enc(sampleId)}/analyses`,
      parameters ? { parameters } : {},
      undefined,
      { 'Idempotency-Key': idempotencyKey },
    );
  }
  listAnalyses(sampleId: string) {
    return this.request<{ items: Analysis[] }>('GET', `/samples/${enc(sampleId)}/analyses`);
  }
  getAnalysis(analysisId: string, signal?: AbortSignal) {
    return this.request<Analysis>('GET', `/analyses/${enc(analysisId)}`, undefined, signal);
  }
  /** Reruns an analysis; pass the same `idempotencyKey` again when retrying the same click. */
  rerunAnalysis(analysisId: string, idempotencyKey = newIdempotencyKey()) {
    return this.request<Analysis>('POST', `/analyses/${enc(analysisId)}/rerun`, undefined, undefined, {
      'Idempotency-Key': idempotencyKey,
    });
  }
  getResults(analysisId: string, signal?: AbortSignal) {
    return this.request<AnalysisResults>('GET', `/analyses/${enc(analysisId)}/results`, undefined, signal);
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
