import { describe, expect, it } from 'vitest';
import { resultMetrics } from '../../src/lib/results';
import type { FileResult } from '../../src/lib/types';

// The API's results view for a file summary of each contract version (the API maps
// contracts/examples/file-summary.example.json and .v2.example.json to these neutral fields).
const base: FileResult = {
  fileId: 'f0001',
  fileName: 'BSA1.mzML.gz',
  proteinName: 'BSA',
  status: 'SUCCEEDED',
  downloads: [],
};

const v1: FileResult = {
  ...base,
  summaryVersion: 1,
  coveragePercent: 41.68,
  fragmentConfirmedCoveragePercent: 36.41,
  psmsAccepted: null,
  peptidesAccepted: null,
  proteinGroupsAccepted: null,
  fdrEstimable: null,
  experimentType: 'peptide_map',
};

const v2: FileResult = {
  ...base,
  summaryVersion: 2,
  coveragePercent: 35.3,
  fragmentConfirmedCoveragePercent: null,
  psmsAccepted: 140,
  peptidesAccepted: 21,
  proteinGroupsAccepted: 3,
  fdrEstimable: true,
  experimentType: 'peptide_map',
};

const asMap = (r: FileResult) => Object.fromEntries(resultMetrics(r).map((m) => [m.label, m.value]));

describe('resultMetrics', () => {
  it('shows accepted identifications and FDR for v2 results, no fragment-confirmed coverage', () => {
    expect(asMap(v2)).toEqual({
      Coverage: '35.3 %',
      'Accepted PSMs': '140',
      'Accepted peptides': '21',
      'Accepted protein groups': '3',
      'FDR estimable': 'yes',
      'Experiment type': 'peptide_map',
    });
  });

  it('says so when the FDR threshold was not reachable', () => {
    expect(asMap({ ...v2, fdrEstimable: false, psmsAccepted: 0 })['FDR estimable']).toMatch(/^no/);
  });

  it('keeps fragment-confirmed coverage for v1 results only', () => {
    expect(asMap(v1)).toEqual({
      Coverage: '41.7 %',
      'Fragment-confirmed coverage': '36.4 %',
      'Experiment type': 'peptide_map',
    });
  });

  it('reads a result without figures (running or failed)', () => {
    expect(asMap({ ...base, status: 'RUNNING' })).toEqual({ Coverage: '–', 'Experiment type': '–' });
  });
});
