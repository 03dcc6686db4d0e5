import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, newIdempotencyKey } from '../../src/lib/api';

// The API's own rule for the header (biotech_api/api.py `_IDEMPOTENCY_KEY`): 1-255 visible ASCII
// characters; anything else is a 400 invalid_idempotency_key.
const API_KEY_RULE = /^[\x21-\x7e]{1,255}$/;

function recordingFetch() {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchStub = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify({ id: 'a-1' }), { status: 202, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchStub);
  return calls;
}

function header(init: RequestInit, name: string): string | undefined {
  return (init.headers as Record<string, string>)[name];
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('starting analyses', () => {
  it('sends an Idempotency-Key the API accepts with every start and rerun', async () => {
    const calls = recordingFetch();
    const api = new ApiClient(async () => 'token');
    await api.startAnalysis('s-1');
    await api.rerunAnalysis('a-0');
    expect(calls.map((c) => c.url)).toEqual(['/api/samples/s-1/analyses', '/api/analyses/a-0/rerun']);
    const keys = calls.map((c) => header(c.init, 'Idempotency-Key'));
    for (const key of keys) expect(key).toMatch(API_KEY_RULE);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('repeats the same key when the caller retries the same click', async () => {
    const calls = recordingFetch();
    const api = new ApiClient(async () => 'token');
    const key = newIdempotencyKey();
    await api.startAnalysis('s-1', undefined, key);
    await api.startAnalysis('s-1', undefined, key);
    expect(calls.map((c) => header(c.init, 'Idempotency-Key'))).toEqual([key, key]);
    expect(newIdempotencyKey()).not.toBe(key);
  });
});
