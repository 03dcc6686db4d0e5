import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../../src/lib/api';
import {
  archiveErrorText,
  downloadArchive,
  exportTableCsv,
  filenameFromContentDisposition,
  freshDownload,
  getCoverage,
  getTable,
  tableQueryString,
} from '../../src/lib/results-api';

function stubFetch(respond: (url: string) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return respond(url);
    }),
  );
  return calls;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

afterEach(() => vi.unstubAllGlobals());

describe('tableQueryString', () => {
  it('sends paging always, and only the filters that are set', () => {
    expect(tableQueryString({})).toBe('?offset=0&limit=50');
    expect(
      tableQueryString({ offset: 50, limit: 25, sort: 'qValue', order: 'desc', filter: '  LVNE ', accepted: true, peptide: 'LVNELTEFAK', protein: 'P02769' }),
    ).toBe('?offset=50&limit=25&sort=qValue&order=desc&filter=LVNE&accepted=true&peptide=LVNELTEFAK&protein=P02769');
  });

  it('keeps limit inside the API range 1..500 and offset at 0 or more', () => {
    expect(tableQueryString({ offset: -3, limit: 10_000 })).toBe('?offset=0&limit=500');
    expect(tableQueryString({ limit: 0 })).toBe('?offset=0&limit=1');
  });

  it('leaves paging out for the CSV export and sends accepted=false as a filter', () => {
    expect(tableQueryString({ offset: 100, accepted: false, sort: 'psms' }, false)).toBe('?sort=psms&order=asc&accepted=false');
    expect(tableQueryString({ filter: '   ' }, false)).toBe('');
  });
});

describe('filenameFromContentDisposition', () => {
  it('reads quoted, bare and RFC 5987 names', () => {
    expect(filenameFromContentDisposition('attachment; filename="lysozyme-batch-3_BSA_BSA1_peptides.csv"')).toBe(
      'lysozyme-batch-3_BSA_BSA1_peptides.csv',
    );
    expect(filenameFromContentDisposition('attachment; filename=a_b.zip')).toBe('a_b.zip');
    expect(filenameFromContentDisposition(`attachment; filename="x.csv"; filename*=UTF-8''s%C3%A9rum_x.csv`)).toBe('sérum_x.csv');
  });

  it('gives null without a name', () => {
    expect(filenameFromContentDisposition(null)).toBeNull();
    expect(filenameFromContentDisposition('inline')).toBeNull();
  });
});

describe('results client', () => {
  it('calls the contract paths with the bearer token', async () => {
    const calls = stubFetch(() => json({}));
    const api = new ApiClient(async () => 'tok');
    await freshDownload(api, 'a 1', 'f/1', 'peptides.csv');
    await getTable(api, 'a1', 'f1', 'psms', { sort: 'qValue', order: 'asc', peptide: 'LVNELTEFAK' });
    await getCoverage(api, 'a1', 'f1');
    expect(calls.map((c) => c.url)).toEqual([
      '/api/analyses/a%201/files/f%2F1/downloads/peptides.csv',
      '/api/analyses/a1/files/f1/tables/psms?offset=0&limit=50&sort=qValue&order=asc&peptide=LVNELTEFAK',
      '/api/analyses/a1/files/f1/coverage',
    ]);
    for (const c of calls) expect((c.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it('exports a table as CSV under the name the API gives', async () => {
    const calls = stubFetch(
      () =>
        new Response('peptide,psms\nLVNELTEFAK,3\n', {
          status: 200,
          headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="s_BSA_BSA1_peptides.csv"' },
        }),
    );
    const api = new ApiClient(async () => 'tok');
    const file = await exportTableCsv(api, 'a1', 'f1', 'peptides', { offset: 50, limit: 25, accepted: true });
    expect(calls[0].url).toBe('/api/analyses/a1/files/f1/tables/peptides.csv?accepted=true');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(file.name).toBe('s_BSA_BSA1_peptides.csv');
    expect(await file.blob.text()).toContain('LVNELTEFAK,3');
  });

  it('turns a 413 of the archive into an ApiError with the API message', async () => {
    stubFetch(() =>
      json({ error: { code: 'archive_too_large', message: 'The archive would be 600.0 MiB, above the 512.0 MiB cap.' } }, 413),
    );
    const unauthorized = vi.fn();
    const api = new ApiClient(async () => 'tok', unauthorized);
    const failure = await downloadArchive(api, 'a1').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 413, code: 'archive_too_large', message: expect.stringMatching(/512\.0 MiB/) });
    expect(unauthorized).not.toHaveBeenCalled();
    expect(archiveErrorText(failure)).toBe(
      'The archive is too large to download as one zip. The archive would be 600.0 MiB, above the 512.0 MiB cap. Download the files one by one below.',
    );
    expect(archiveErrorText(new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached.'))).toMatch(/^Could not download the archive: /);
  });

  it('drops the session on a 401 from a file download', async () => {
    stubFetch(() => json({ error: { code: 'unauthorized', message: 'Sign in again.' } }, 401));
    const unauthorized = vi.fn();
    const api = new ApiClient(async () => 'tok', unauthorized);
    await expect(downloadArchive(api, 'a1')).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toHaveBeenCalledOnce();
  });
});
