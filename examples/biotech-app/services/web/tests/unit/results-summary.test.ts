import { describe, expect, it } from 'vitest';
import type { ResultFile } from '../../src/lib/results-api';
import { formatPpm, formatRate, summaryRows } from '../../src/lib/results-summary';

// A succeeded and a failed file as `GET /api/analyses/{id}/results` gives them (contract item 4):
// figures from the worker's v2 file summary (qc.identification.ms2IdentificationRate,
// massError.precursor.medianAbsPpm, qcFlags).
const succeeded: ResultFile = {
  fileId: 'f1',
  fileName: 'BSA1.mzML.gz',
  proteinName: 'BSA',
  status: 'SUCCEEDED',
  coveragePercent: 35.34,
  psmsAccepted: 140,
  peptidesAccepted: 21,
  identificationRate: 0.2468,
  medianAbsPpm: 1.8349,
  qcFlags: ['low_identification_rate'],
  downloads: [],
};
const failed: ResultFile = {
  fileId: 'f2',
  fileName: 'broken.mgf',
  proteinName: null,
  status: 'FAILED',
  reason: 'The file is not a valid MGF file (line 3).',
  downloads: [],
};

describe('summaryRows', () => {
  it('formats one row per file with the figures at the FDR threshold', () => {
    const [row] = summaryRows([succeeded]);
    expect(row).toEqual({
      fileId: 'f1',
      protein: 'BSA',
      fileName: 'BSA1.mzML.gz',
      coverage: '35.3 %',
      peptides: '21',
      psms: '140',
      identificationRate: '24.7 %',
      medianAbsPpm: '1.83 ppm',
      status: 'SUCCEEDED',
      reason: '',
      qcFlags: ['low_identification_rate'],
    });
  });

  it('shows dashes, the reason and no flags for a failed file without figures', () => {
    const [, row] = summaryRows([succeeded, failed]);
    expect(row.protein).toBe('–');
    expect([row.coverage, row.peptides, row.psms, row.identificationRate, row.medianAbsPpm]).toEqual(['–', '–', '–', '–', '–']);
    expect(row.reason).toMatch(/not a valid MGF/);
    expect(row.qcFlags).toEqual([]);
  });

  it('keeps zero as a figure, not as missing', () => {
    expect(formatRate(0)).toBe('0.0 %');
    expect(formatPpm(0)).toBe('0.00 ppm');
    expect(summaryRows([{ ...succeeded, psmsAccepted: 0 }])[0].psms).toBe('0');
  });
});
