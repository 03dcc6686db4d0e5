/**
 * Layout of the interactive coverage map, free of React so it is unit tested: residue classes,
 * rows of blocks of 10 residues, peptide bars in lanes, and the covered ranges as text.
 */
import type { CoveragePeptide, CoverageProtein } from './results-api';

/** `accepted`: covered by a peptide accepted at the FDR threshold; `other`: only by peptides that were not. */
export type ResidueClass = 'accepted' | 'other' | 'none';

export const BLOCK = 10;
export const ROW = 50;

export interface PlacedPeptide extends CoveragePeptide {
  start: number;
  end: number;
  /** Lane under the sequence (0 = nearest), the same on every row the bar crosses. */
  lane: number;
  /** Stable key: peptide and position (a peptide found twice gives two bars). */
  key: string;
}

/** The protein's length as the map draws it: the sequence's, else the coverage string's. */
export function mapLength(protein: CoverageProtein): number {
  if (protein.sequence) return protein.sequence.length;
  return protein.residueCoverage.length || protein.length || 0;
}

/** Residue class per position (index 0 = residue 1). */
export function residueClasses(protein: CoverageProtein): ResidueClass[] {
  const n = mapLength(protein);
  const classes: ResidueClass[] = Array.from({ length: n }, (_, i) => {
    const c = protein.residueCoverage[i];
    return c !== undefined && c !== '.' ? 'accepted' : 'none';
  });
  for (const p of protein.peptides) {
    if (p.start === null || p.end === null) continue;
    for (let pos = Math.max(1, p.start); pos <= Math.min(n, p.end); pos++) {
      if (p.accepted) classes[pos - 1] = 'accepted';
      else if (classes[pos - 1] === 'none') classes[pos - 1] = 'other';
    }
  }
  return classes;
}

/** Peptides with a position, in lanes so that bars on one lane never overlap. */
export function placePeptides(peptides: CoveragePeptide[]): PlacedPeptide[] {
  const placed = peptides
    .filter((p): p is CoveragePeptide & { start: number; end: number } => p.start !== null && p.end !== null)
    .sort((a, b) => a.start - b.start || b.end - a.end || a.peptide.localeCompare(b.peptide));
  const laneEnds: number[] = [];
  return placed.map((p) => {
    let lane = laneEnds.findIndex((end) => end < p.start);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(p.end);
    } else {
      laneEnds[lane] = p.end;
    }
    return { ...p, lane, key: `${p.peptide}@${p.start}` };
  });
}

/** Peptides the sequence does not place (no sequence, or not found in it). */
export function unplacedPeptides(peptides: CoveragePeptide[]): CoveragePeptide[] {
  return peptides.filter((p) => p.start === null || p.end === null);
}

export interface MapRow {
  /** First and last residue of the row, 1-based inclusive. */
  from: number;
  to: number;
  /** First residue of each block of 10 in the row. */
  blockStarts: number[];
}

export function mapRows(length: number, rowLength = ROW): MapRow[] {
  const rows: MapRow[] = [];
  for (let from = 1; from <= length; from += rowLength) {
    const to = Math.min(length, from + rowLength - 1);
    const blockStarts: number[] = [];
    for (let b = from; b <= to; b += BLOCK) blockStarts.push(b);
    rows.push({ from, to, blockStarts });
  }
  return rows;
}

/** A run of cells on one lane of one row: empty space, or the part of a bar in that row. */
export type LaneSegment =
  | { type: 'gap'; from: number; to: number }
  | { type: 'bar'; from: number; to: number; peptide: PlacedPeptide; first: boolean };

/** The segments of each lane that has a bar in the row, lanes in order. */
export function rowLanes(row: MapRow, placed: PlacedPeptide[]): LaneSegment[][] {
  const inRow = placed.filter((p) => p.start <= row.to && p.end >= row.from);
  const laneCount = inRow.reduce((m, p) => Math.max(m, p.lane + 1), 0);
  const lanes: LaneSegment[][] = [];
  for (let lane = 0; lane < laneCount; lane++) {
    const bars = inRow.filter((p) => p.lane === lane).sort((a, b) => a.start - b.start);
    if (bars.length === 0) continue;
    const segments: LaneSegment[] = [];
    let pos = row.from;
    for (const p of bars) {
      const from = Math.max(p.start, row.from);
      const to = Math.min(p.end, row.to);
      if (from > pos) segments.push({ type: 'gap', from: pos, to: from - 1 });
      segments.push({ type: 'bar', from, to, peptide: p, first: p.start >= row.from });
      pos = to + 1;
    }
    if (pos <= row.to) segments.push({ type: 'gap', from: pos, to: row.to });
    lanes.push(segments);
  }
  return lanes;
}

export interface CoveredRange {
  from: number;
  to: number;
  cls: Exclude<ResidueClass, 'none'>;
}

/** Consecutive residues of the same covered class, for the text alternative of the map. */
export function coveredRanges(classes: ResidueClass[]): CoveredRange[] {
  const ranges: CoveredRange[] = [];
  classes.forEach((cls, i) => {
    if (cls === 'none') return;
    const last = ranges[ranges.length - 1];
    if (last && last.cls === cls && last.to === i) last.to = i + 1;
    else ranges.push({ from: i + 1, to: i + 1, cls });
  });
  return ranges;
}

/** A q-value as shown: 3 significant digits, scientific below 0.001. */
export function formatQValue(q: number | null | undefined): string {
  if (q === null || q === undefined || !Number.isFinite(q)) return '–';
  if (q === 0) return '0';
  return q < 0.001 ? q.toExponential(2) : String(Number(q.toPrecision(3)));
}

/** The one-line description of a peptide bar (its accessible name and the hover/focus details). */
export function describePeptide(p: CoveragePeptide): string {
  const where = p.start !== null && p.end !== null ? `residues ${p.start}–${p.end}` : 'position not found in the sequence';
  const psms = `${p.psms} PSM${p.psms === 1 ? '' : 's'}`;
  return `${p.peptide}: ${psms}, best q-value ${formatQValue(p.bestQValue)}, ${where}, ${p.accepted ? 'accepted' : 'not accepted'}`;
}
