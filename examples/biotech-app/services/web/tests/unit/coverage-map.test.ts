import { describe, expect, it } from 'vitest';
import {
  coveredRanges,
  describePeptide,
  formatQValue,
  mapRows,
  placePeptides,
  residueClasses,
  rowLanes,
  unplacedPeptides,
} from '../../src/lib/coverage-map';
import type { CoverageProtein } from '../../src/lib/results-api';

// The start of P02769 (BSA) with two of its tryptic peptides, as GET …/coverage answers it:
// residueCoverage from the worker's summary ('+' = covered by an accepted peptide).
const sequence = 'MKWVTFISLLLLFSSAYSRGVFRRDTHKSEIAHRFKDLGEEHFKGLVLIAFSQYLQQCPFDEHVKLVNELTEFAK';
const protein: CoverageProtein = {
  accession: 'P02769',
  description: 'Albumin',
  length: sequence.length,
  percent: 13.3,
  sequence,
  residueCoverage: '.'.repeat(65) + '+'.repeat(10),
  peptides: [
    { peptide: 'LVNELTEFAK', start: 66, end: 75, psms: 12, bestQValue: 0.0004, accepted: true },
    { peptide: 'DLGEEHFK', start: 37, end: 44, psms: 1, bestQValue: 0.2, accepted: false },
    { peptide: 'GLVLIAFSQYLQQCPFDEHVK', start: 45, end: 65, psms: 2, bestQValue: 0.03, accepted: false },
    { peptide: 'HLVDEPQNLIK', start: null, end: null, psms: 3, bestQValue: 0.001, accepted: true },
  ],
};

describe('residueClasses', () => {
  it('marks accepted, not-accepted-only and uncovered residues', () => {
    const classes = residueClasses(protein);
    expect(classes).toHaveLength(75);
    expect(classes[35]).toBe('none');
    expect(classes.slice(36, 44).every((c) => c === 'other')).toBe(true);
    expect(classes.slice(65, 75).every((c) => c === 'accepted')).toBe(true);
  });

  it('draws positions from the coverage string when the sequence is unknown', () => {
    const classes = residueClasses({ ...protein, sequence: null, peptides: [], residueCoverage: '..++.' });
    expect(classes).toEqual(['none', 'none', 'accepted', 'accepted', 'none']);
  });

  it('lets an accepted peptide win over a not-accepted one on the same residues', () => {
    const classes = residueClasses({
      ...protein,
      residueCoverage: '.'.repeat(75),
      peptides: [
        { peptide: 'Y', start: 3, end: 4, psms: 1, bestQValue: 0.001, accepted: true },
        { peptide: 'X', start: 1, end: 5, psms: 1, bestQValue: 0.5, accepted: false },
      ],
    });
    expect(classes.slice(0, 6)).toEqual(['other', 'other', 'accepted', 'accepted', 'other', 'none']);
  });
});

describe('coveredRanges', () => {
  it('lists consecutive covered residues of one class', () => {
    expect(coveredRanges(residueClasses(protein))).toEqual([
      { from: 37, to: 65, cls: 'other' },
      { from: 66, to: 75, cls: 'accepted' },
    ]);
  });
});

describe('placing peptide bars', () => {
  it('puts overlapping bars on separate lanes and reuses a lane once it is free', () => {
    const placed = placePeptides([
      { peptide: 'A', start: 1, end: 10, psms: 1, bestQValue: 0, accepted: true },
      { peptide: 'B', start: 5, end: 12, psms: 1, bestQValue: 0, accepted: true },
      { peptide: 'C', start: 11, end: 20, psms: 1, bestQValue: 0, accepted: true },
      { peptide: 'A', start: 30, end: 39, psms: 1, bestQValue: 0, accepted: true },
    ]);
    expect(placed.map((p) => [p.key, p.lane])).toEqual([
      ['A@1', 0],
      ['B@5', 1],
      ['C@11', 0],
      ['A@30', 0],
    ]);
  });

  it('leaves peptides without a position out of the bars and lists them apart', () => {
    expect(placePeptides(protein.peptides).map((p) => p.peptide)).not.toContain('HLVDEPQNLIK');
    expect(unplacedPeptides(protein.peptides).map((p) => p.peptide)).toEqual(['HLVDEPQNLIK']);
  });

  it('splits the sequence into rows of 50 with blocks of 10', () => {
    expect(mapRows(75)).toEqual([
      { from: 1, to: 50, blockStarts: [1, 11, 21, 31, 41] },
      { from: 51, to: 75, blockStarts: [51, 61, 71] },
    ]);
  });

  it('cuts a bar crossing a row end into a first part and a continuation', () => {
    const placed = placePeptides(protein.peptides);
    const [row1, row2] = mapRows(75);
    const lane1 = rowLanes(row1, placed)[0];
    expect(lane1).toEqual([
      { type: 'gap', from: 1, to: 36 },
      expect.objectContaining({ type: 'bar', from: 37, to: 44, first: true }),
      expect.objectContaining({ type: 'bar', from: 45, to: 50, first: true }),
    ]);
    const lane2 = rowLanes(row2, placed)[0];
    expect(lane2).toEqual([
      expect.objectContaining({ type: 'bar', from: 51, to: 65, first: false }),
      expect.objectContaining({ type: 'bar', from: 66, to: 75, first: true }),
    ]);
  });
});

describe('peptide details', () => {
  it('names the peptide, its PSMs, best q-value and place', () => {
    expect(describePeptide(protein.peptides[0])).toBe(
      'LVNELTEFAK: 12 PSMs, best q-value 4.00e-4, residues 66–75, accepted',
    );
    expect(describePeptide(protein.peptides[3])).toMatch(/3 PSMs, best q-value 0.001, position not found/);
    expect(formatQValue(null)).toBe('–');
    expect(formatQValue(0.0312345)).toBe('0.0312');
  });
});
