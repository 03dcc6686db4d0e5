import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../../src/lib/api';
import { compareAnalyses, compareHref, parseCompareIds, rerun, rerunsOf } from '../../src/lib/analyses-api';
import type { Analysis } from '../../src/lib/types';

function analysis(id: string, createdAt: string, rerunOf: string | null = null): Analysis {
  return {
    id,
    sampleId: 's1',
    status: 'SUCCEEDED',
    attempt: 1,
    executionName: `x-${id}`,
    filesSucceeded: 1,
    filesFailed: 0,
    createdAt,
    rerunOf,
  };
}

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('reruns', () => {
  it('lists the reruns of an analysis, newest first', () => {
    const all = [
      analysis('a1', '2026-01-01T00:00:00Z'),
      analysis('a2', '2026-01-02T00:00:00Z', 'a1'),
      analysis('a3', '2026-01-03T00:00:00Z', 'a1'),
      analysis('a4', '2026-01-04T00:00:00Z', 'a2'),
    ];
    expect(rerunsOf(all, 'a1').map((a) => a.id)).toEqual(['a3', 'a2']);
    expect(rerunsOf(all, 'a4')).toEqual([]);
  });

  it('posts the body and the idempotency key', async () => {
    const calls = fakeFetch(202, analysis('a2', '2026-01-02T00:00:00Z', 'a1'));
    const api = new ApiClient(async () => 'token');
    const next = await rerun(api, 'a1', { failedFilesOnly: true }, 'key-1');
    expect(next.rerunOf).toBe('a1');
    expect(calls[0].url).toBe('/api/analyses/a1/rerun');
    expect(calls[0].init.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ failedFilesOnly: true });
    expect((calls[0].init.headers as Record<string, string>)['Idempotency-Key']).toBe('key-1');
  });

  it('gives the 409 nothing_to_rerun as an ApiError with its code and message', async () => {
    fakeFetch(409, { error: { code: 'nothing_to_rerun', message: 'no file of analysis a1 failed' } });
    const api = new ApiClient(async () => 'token');
    const error = await rerun(api, 'a1', { failedFilesOnly: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('nothing_to_rerun');
    expect((error as ApiError).message).toBe('no file of analysis a1 failed');
  });
});

describe('compare', () => {
  it('reads the ids of a compare link: trimmed, no blanks or repeats, in order', () => {
    expect(parseCompareIds(' a2, a1,,a2 ')).toEqual({ ids: ['a2', 'a1'], problem: null });
  });

  it('names a wrong count', () => {
    expect(parseCompareIds('a1').problem).toBe('Choose at least 2 different analyses to compare (1 chosen).');
    expect(parseCompareIds(null).problem).toMatch(/at least 2/);
    const eleven = Array.from({ length: 11 }, (_, i) => `a${i}`).join(',');
    expect(parseCompareIds(eleven).problem).toBe('Compare at most 10 analyses at a time (11 chosen).');
  });

  it('builds the page link and the API request', async () => {
    expect(compareHref(['a 1', 'b'])).toBe('/compare?analysisIds=a%201,b');
    const calls = fakeFetch(200, { analyses: [], proteins: [] });
    await compareAnalyses(new ApiClient(async () => null), ['a1', 'b2']);
    expect(calls[0].url).toBe('/api/compare?analysisIds=a1,b2');
  });
});
