import { describe, expect, it } from 'vitest';
import { normalizeSamplePage, pageRangeText, samplesQueryString } from '../../src/lib/samples-api';

describe('samplesQueryString', () => {
  it('sends only what is set, the search trimmed', () => {
    expect(samplesQueryString({})).toBe('limit=25');
    expect(samplesQueryString({ q: '  lysozyme batch ', status: 'FAILED', offset: 50, limit: 25 })).toBe(
      'q=lysozyme+batch&status=FAILED&offset=50&limit=25',
    );
    expect(samplesQueryString({ q: '   ', status: '', offset: 0 })).toBe('limit=25');
  });

  it('never sends a search longer than the API accepts (200)', () => {
    const q = new URLSearchParams(samplesQueryString({ q: 'x'.repeat(250) })).get('q');
    expect(q).toHaveLength(200);
  });
});

describe('pageRangeText', () => {
  it('names the rows shown and the total', () => {
    expect(pageRangeText({ offset: 25, total: 120 }, 25)).toBe('Samples 26–50 of 120');
    expect(pageRangeText({ offset: 0, total: 0 }, 0)).toBe('No samples');
  });
});

describe('normalizeSamplePage', () => {
  const sample = { id: 's1', name: 'a', description: null, createdAt: '2026-01-01T00:00:00Z', fileCount: 0 };
  it('keeps a contract page as it is', () => {
    const page = { items: [{ ...sample, latestAnalysis: null }], total: 30, offset: 25, limit: 25 };
    expect(normalizeSamplePage(page, {})).toEqual(page);
  });
  it('reads an answer without paging fields as one page holding everything', () => {
    expect(normalizeSamplePage({ items: [sample as never] }, { offset: 0 })).toEqual({
      items: [{ ...sample, latestAnalysis: null }],
      total: 1,
      offset: 0,
      limit: 25,
    });
  });
});
