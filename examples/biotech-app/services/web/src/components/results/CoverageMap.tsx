'use client';

import { Fragment, useId, useMemo, useState } from 'react';
import {
  BLOCK,
  coveredRanges,
  describePeptide,
  mapLength,
  mapRows,
  placePeptides,
  residueClasses,
  rowLanes,
  unplacedPeptides,
  type PlacedPeptide,
  type ResidueClass,
} from '@/lib/coverage-map';
import { formatPercent } from '@/lib/format';
import type { CoveragePeptide, CoverageProtein } from '@/lib/results-api';

export interface PeptideSelection {
  peptide: string;
  accession: string;
}

const CLASS_TEXT: Record<ResidueClass, string> = {
  accepted: 'covered by an accepted peptide',
  other: 'covered only by a peptide not accepted at the FDR threshold',
  none: 'not covered',
};

function cellClass(pos: number, extra: string): string {
  // A gap after every 10th residue separates the blocks.
  return `cm-cell${pos % BLOCK === 0 ? ' cm-block-end' : ''}${extra ? ` ${extra}` : ''}`;
}

function Cells({ from, to }: { from: number; to: number }) {
  const cells = [];
  for (let pos = from; pos <= to; pos++) cells.push(<span key={pos} className={cellClass(pos, '')} />);
  return <>{cells}</>;
}

function ProteinMap({
  protein,
  selected,
  onSelect,
}: {
  protein: CoverageProtein;
  selected: PeptideSelection | null;
  onSelect: (selection: PeptideSelection | null) => void;
}) {
  const infoId = useId();
  const [active, setActive] = useState<CoveragePeptide | null>(null);
  const length = mapLength(protein);
  const classes = useMemo(() => residueClasses(protein), [protein]);
  const placed = useMemo(() => placePeptides(protein.peptides), [protein]);
  const unplaced = useMemo(() => unplacedPeptides(protein.peptides), [protein]);
  const rows = useMemo(() => mapRows(length), [length]);
  const ranges = useMemo(() => coveredRanges(classes), [classes]);
  const isSelected = (p: CoveragePeptide) => selected?.accession === protein.accession && selected.peptide === p.peptide;
  const toggle = (p: CoveragePeptide) =>
    onSelect(isSelected(p) ? null : { peptide: p.peptide, accession: protein.accession });
  const hover = {
    onMouseLeave: () => setActive(null),
    onBlur: () => setActive(null),
  };

  const barButton = (p: PlacedPeptide | CoveragePeptide, content: React.ReactNode, extraClass = '') => (
    <button
      type="button"
      className={`cm-bar ${p.accepted ? 'cm-bar-accepted' : 'cm-bar-other'}${isSelected(p) ? ' cm-bar-selected' : ''}${extraClass}`}
      aria-pressed={isSelected(p)}
      aria-label={describePeptide(p)}
      aria-describedby={infoId}
      data-peptide={p.peptide}
      data-testid="peptide-bar"
      onMouseEnter={() => setActive(p)}
      onFocus={() => setActive(p)}
      onClick={() => toggle(p)}
      {...hover}
    >
      {content}
    </button>
  );

  return (
    <div className="cm-protein" data-testid="coverage-protein">
      <h5>
        {protein.accession}
        {protein.description ? <span className="muted"> {protein.description}</span> : null}
        <span className="cm-percent"> – {formatPercent(protein.percent)} covered, {length} residues</span>
      </h5>
      {protein.sequence ? null : (
        <p className="muted" data-testid="sequence-unknown">
          The sequence is unknown: positions are drawn from the coverage string only, and peptides cannot be placed.
        </p>
      )}
      <div className="cm-scroll" role="group" aria-label={`Coverage map of ${protein.accession}`}>
        {rows.map((row) => (
          <div className="cm-row" key={row.from}>
            <div className="cm-numbers" aria-hidden="true">
              {row.blockStarts.map((b) => (
                <span key={b} className="cm-num">
                  {b}
                </span>
              ))}
            </div>
            <div className={`cm-seq${protein.sequence ? '' : ' cm-seq-unknown'}`} aria-hidden="true">
              {classes.slice(row.from - 1, row.to).map((cls, i) => {
                const pos = row.from + i;
                return (
                  <span key={pos} className={cellClass(pos, `cm-res cm-${cls}`)} title={`${pos}: ${CLASS_TEXT[cls]}`}>
                    {protein.sequence ? protein.sequence[pos - 1] : '\u00a0'}
                  </span>
                );
              })}
            </div>
            {rowLanes(row, placed).map((segments, lane) => (
              <div className="cm-lane" key={lane}>
                {segments.map((s) =>
                  s.type === 'gap' ? (
                    <Cells key={`g${s.from}`} from={s.from} to={s.to} />
                  ) : s.first ? (
                    <Fragment key={`b${s.from}`}>{barButton(s.peptide, <Cells from={s.from} to={s.to} />)}</Fragment>
                  ) : (
                    // The rest of a bar that started on an earlier row: the button is there.
                    <span
                      key={`c${s.from}`}
                      aria-hidden="true"
                      className={`cm-bar cm-bar-cont ${s.peptide.accepted ? 'cm-bar-accepted' : 'cm-bar-other'}${isSelected(s.peptide) ? ' cm-bar-selected' : ''}`}
                      onMouseEnter={() => setActive(s.peptide)}
                      onMouseLeave={() => setActive(null)}
                      onClick={() => toggle(s.peptide)}
                    >
                      <Cells from={s.from} to={s.to} />
                    </span>
                  ),
                )}
              </div>
            ))}
          </div>
        ))}
      </div>
      <p id={infoId} className="cm-info" data-testid="peptide-info" aria-live="polite">
        {active ? describePeptide(active) : 'Hover over or focus a peptide bar for its PSMs and best q-value; click it to filter the tables.'}
      </p>
      {unplaced.length > 0 ? (
        <div className="cm-unplaced">
          <h6>Peptides not placed in the sequence</h6>
          <ul className="cm-unplaced-list">
            {unplaced.map((p) => (
              <li key={p.peptide}>{barButton(p, p.peptide, ' cm-bar-text')}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <details className="cm-ranges">
        <summary>Covered ranges as text</summary>
        {ranges.length === 0 ? (
          <p>No residue is covered.</p>
        ) : (
          <ul data-testid="covered-ranges">
            {ranges.map((r) => (
              <li key={r.from}>
                Residues {r.from}–{r.to}
                {protein.sequence ? ` (${protein.sequence.slice(r.from - 1, r.to)})` : ''}: {CLASS_TEXT[r.cls]}
              </li>
            ))}
          </ul>
        )}
      </details>
    </div>
  );
}

/**
 * The sequence in blocks of 10 residues with their positions, each residue marked by how it is
 * covered, and the identified peptides as bars (buttons) under it. Colour is never the only cue:
 * accepted residues are bold and underlined, residues covered only by not-accepted peptides
 * italic with a dotted underline.
 */
export function CoverageMap({
  proteins,
  selected,
  onSelect,
}: {
  proteins: CoverageProtein[];
  selected: PeptideSelection | null;
  onSelect: (selection: PeptideSelection | null) => void;
}) {
  const selectId = useId();
  // The worker lists the sample's proteins first, then every other protein (contaminants) with
  // accepted peptides: one map at a time keeps the page short.
  const [shown, setShown] = useState(0);
  if (proteins.length === 0) return <p className="muted">No protein coverage was reported for this file.</p>;
  const protein = proteins[Math.min(shown, proteins.length - 1)];
  return (
    <div className="coverage-map" data-testid="coverage-map">
      {proteins.length > 1 ? (
        <div className="cm-choose">
          <label htmlFor={selectId}>Protein</label>{' '}
          <select id={selectId} value={Math.min(shown, proteins.length - 1)} onChange={(e) => setShown(Number(e.target.value))}>
            {proteins.map((p, i) => (
              <option key={p.accession} value={i}>
                {p.accession}
                {p.description ? ` ${p.description.slice(0, 60)}` : ''} – {formatPercent(p.percent)}
              </option>
            ))}
          </select>{' '}
          <span className="muted">
            {proteins.length} proteins with accepted peptides (the sample&apos;s own first)
          </span>
        </div>
      ) : null}
      <ul className="cm-legend" aria-label="Legend">
        <li>
          <span className="cm-swatch cm-res cm-accepted" aria-hidden="true">
            A
          </span>{' '}
          Covered by an accepted peptide (bold, underlined)
        </li>
        <li>
          <span className="cm-swatch cm-res cm-other" aria-hidden="true">
            A
          </span>{' '}
          Covered only by a peptide not accepted (italic, dotted underline)
        </li>
        <li>
          <span className="cm-swatch cm-res cm-none" aria-hidden="true">
            A
          </span>{' '}
          Not covered
        </li>
      </ul>
      <ProteinMap key={protein.accession} protein={protein} selected={selected} onSelect={onSelect} />
    </div>
  );
}
