import { describe, expect, it } from 'vitest';
import { pollDelay, pollUntil } from '../../src/lib/poll';
import { hasAllowedExtension, proteinNameFromFileName } from '../../src/lib/types';
import { extraConnectOrigins, readRuntimeConfig } from '../../src/lib/runtime-config';

describe('pollDelay', () => {
  it('grows geometrically and is capped', () => {
    const policy = { initialDelayMs: 1000, factor: 2, maxDelayMs: 5000 };
    expect([0, 1, 2, 3, 4].map((n) => pollDelay(n, policy))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});

describe('pollUntil', () => {
  it('polls until done, keeps going after errors, with growing waits', async () => {
    const waits: number[] = [];
    const errors: unknown[] = [];
    let calls = 0;
    await pollUntil(
      async () => {
        calls++;
        if (calls === 2) throw new Error('flaky');
        return calls === 4;
      },
      {
        policy: { initialDelayMs: 10, factor: 2, maxDelayMs: 1000 },
        sleep: async (ms) => {
          waits.push(ms);
        },
        onError: (e) => errors.push(e),
      },
    );
    expect(calls).toBe(4);
    expect(waits).toEqual([10, 20, 40]);
    expect(errors).toHaveLength(1);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    await pollUntil(
      async () => {
        calls++;
        controller.abort();
        return false;
      },
      { signal: controller.signal, sleep: async () => {} },
    );
    expect(calls).toBe(1);
  });
});

describe('file names', () => {
  it('accepts the MS extensions, case-insensitively', () => {
    for (const name of ['a.mzML', 'b.mzml.gz', 'c.mzXML', 'd.MGF']) expect(hasAllowedExtension(name)).toBe(true);
    for (const name of ['a.txt', 'b.mzML.zip', 'mzML']) expect(hasAllowedExtension(name)).toBe(false);
  });
  it('derives a protein name from the file name', () => {
    expect(proteinNameFromFileName('BSA1.mzML.gz')).toBe('BSA1');
    expect(proteinNameFromFileName('lysozyme.mgf')).toBe('lysozyme');
  });
});

describe('runtime config', () => {
  it('reads the environment at call time with safe defaults', () => {
    const cfg = readRuntimeConfig({ OIDC_ISSUER: 'https://idp.example/pool/', OIDC_CLIENT_ID: 'abc', API_TOKEN_TYPE: 'ID' });
    expect(cfg).toMatchObject({ oidcIssuer: 'https://idp.example/pool', oidcClientId: 'abc', apiTokenType: 'id' });
    expect(readRuntimeConfig({}).apiTokenType).toBe('access');
  });
  it('lists the issuer and storage origins for the CSP', () => {
    expect(
      extraConnectOrigins({ OIDC_ISSUER: 'https://idp.example/pool', CSP_STORAGE_ORIGINS: 'http://127.0.0.1:5000' }),
    ).toEqual(['https://idp.example', 'http://127.0.0.1:5000']);
  });
  it('admits no storage host it was not given (never every *.amazonaws.com host)', () => {
    // The platform passes the buckets' own origins; without them the policy stays 'self' only.
    expect(extraConnectOrigins({ OIDC_ISSUER: 'https://idp.example/pool' })).toEqual(['https://idp.example']);
  });
});
