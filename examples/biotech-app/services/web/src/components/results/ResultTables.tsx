'use client';

import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { PeptideSelection } from '@/components/results/CoverageMap';
import type { ApiClient } from '@/lib/api';
import {
  exportTableCsv,
  getTable,
  saveBlob,
  TABLE_KINDS,
  type CellValue,
  type TableKind,
  type TablePage,
  type TableQuery,
} from '@/lib/results-api';
import { columnLabel, formatCell, nextSort, pageLabel, type SortState } from '@/lib/result-tables';

const TAB_LABELS: Record<TableKind, string> = { psms: 'PSMs', peptides: 'Peptides', proteins: 'Proteins' };
const PAGE_SIZES = [25, 50, 100];
const FILTER_DEBOUNCE_MS = 300;

/**
 * A file's PSM, peptide and protein tables, read page by page from the API (which reads the
 * worker's CSVs; the browser never downloads them). Sortable headers, a debounced filter, an
 * "accepted only" toggle, paging, and "Export CSV" of the whole filtered, sorted table.
 */
export function ResultTables({
  api,
  analysisId,
  fileId,
  subject,
  kinds = TABLE_KINDS,
  selection,
  onClearSelection,
}: {
  api: ApiClient;
  analysisId: string;
  fileId: string;
  subject: string;
  /** The tables the file has (its outputs), in tab order. */
  kinds?: readonly TableKind[];
  selection: PeptideSelection | null;
  onClearSelection: () => void;
}) {
  const baseId = useId();
  const tabRefs = useRef<Record<TableKind, HTMLButtonElement | null>>({ psms: null, peptides: null, proteins: null });
  const [kind, setKind] = useState<TableKind>(kinds[0] ?? 'psms');
  const [sort, setSort] = useState<SortState>(null);
  const [filterInput, setFilterInput] = useState('');
  const [filter, setFilter] = useState('');
  const [acceptedOnly, setAcceptedOnly] = useState(false);
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(PAGE_SIZES[0]);
  const [page, setPage] = useState<TablePage | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  // The filter is sent once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => {
      setFilter(filterInput.trim());
      setOffset(0);
    }, FILTER_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [filterInput]);

  // A peptide picked on the coverage map starts the tables at their first page.
  const [shownSelection, setShownSelection] = useState(selection);
  if (shownSelection !== selection) {
    setShownSelection(selection);
    setOffset(0);
  }

  const query: TableQuery = useMemo(
    () => ({
      offset,
      limit,
      sort: sort?.column ?? null,
      order: sort?.order,
      filter,
      accepted: acceptedOnly ? true : null,
      // Proteins have no peptide column of their own: the selection narrows them to its protein.
      peptide: selection && kind !== 'proteins' ? selection.peptide : null,
      protein: selection && kind === 'proteins' ? selection.accession : null,
    }),
    [offset, limit, sort, filter, acceptedOnly, selection, kind],
  );

  useEffect(() => {
    const controller = new AbortController();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a request starts: show it
    setLoading(true);
    getTable(api, analysisId, fileId, kind, query, controller.signal)
      .then((p) => {
        setPage(p);
        setError(null);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (e instanceof Error && e.name === 'AbortError') return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      });
    return () => controller.abort();
  }, [api, analysisId, fileId, kind, query]);

  const chooseTab = (next: TableKind, focus = false) => {
    if (next !== kind) {
      setKind(next);
      setSort(null);
      setOffset(0);
      setPage(null);
    }
    if (focus) tabRefs.current[next]?.focus();
  };
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = kinds.indexOf(kind);
    const n = kinds.length;
    let next: TableKind | null = null;
    if (e.key === 'ArrowRight') next = kinds[(i + 1) % n];
    else if (e.key === 'ArrowLeft') next = kinds[(i - 1 + n) % n];
    else if (e.key === 'Home') next = kinds[0];
    else if (e.key === 'End') next = kinds[n - 1];
    if (next) {
      e.preventDefault();
      chooseTab(next, true);
    }
  };

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const file = await exportTableCsv(api, analysisId, fileId, kind, query);
      saveBlob(file.blob, file.name);
    } catch (e) {
      setExportError(e instanceof Error ? e.message : String(e));
    } finally {
      setExporting(false);
    }
  };

  const panelId = `${baseId}-panel`;
  const shown = page && page.kind === kind ? page : null;
  return (
    <div className="result-tables" data-testid="result-tables">
      <div role="tablist" aria-label={`Identification tables for ${subject}`} className="tabs">
        {kinds.map((k) => (
          <button
            key={k}
            ref={(el) => {
              tabRefs.current[k] = el;
            }}
            type="button"
            role="tab"
            id={`${baseId}-tab-${k}`}
            aria-selected={k === kind}
            aria-controls={panelId}
            tabIndex={k === kind ? 0 : -1}
            className="tab"
            onClick={() => chooseTab(k)}
            onKeyDown={onTabKey}
          >
            {TAB_LABELS[k]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={panelId} aria-labelledby={`${baseId}-tab-${kind}`} className="tab-panel">
        <div className="table-tools">
          <label className="inline-label">
            Filter
            <input
              type="search"
              value={filterInput}
              onChange={(e) => setFilterInput(e.target.value)}
              placeholder="text in any column"
              data-testid="table-filter"
            />
          </label>
          <label className="inline-label checkbox">
            <input
              type="checkbox"
              checked={acceptedOnly}
              onChange={(e) => {
                setAcceptedOnly(e.target.checked);
                setOffset(0);
              }}
            />
            Accepted only
          </label>
          <label className="inline-label">
            Rows per page
            <select
              value={limit}
              onChange={(e) => {
                setLimit(Number(e.target.value));
                setOffset(0);
              }}
            >
              {PAGE_SIZES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button small" disabled={exporting} onClick={() => void exportCsv()}>
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
        {selection ? (
          <p className="table-selection" data-testid="table-selection">
            {kind === 'proteins'
              ? `Showing protein groups with ${selection.accession} (peptide ${selection.peptide} picked on the map).`
              : `Showing only peptide ${selection.peptide}.`}{' '}
            <button type="button" className="button small" onClick={onClearSelection}>
              Show all
            </button>
          </p>
        ) : null}
        {exportError ? (
          <p className="error-text" role="alert">
            Export failed: {exportError}
          </p>
        ) : null}
        {error ? (
          <p className="error-text" role="alert">
            Could not load the {TAB_LABELS[kind]} table: {error}
          </p>
        ) : null}
        {shown ? (
          <>
            <p className="muted" role="status" data-testid="table-range">
              {pageLabel(shown)}
              {loading ? ' (updating…)' : ''}
            </p>
            <div className="table-wrap">
              <table className="table compact data-table" aria-busy={loading} data-testid={`table-${kind}`}>
                <caption className="visually-hidden">
                  {TAB_LABELS[kind]} of {subject}
                  {sort ? `, sorted by ${columnLabel(sort.column)} ${sort.order === 'asc' ? 'ascending' : 'descending'}` : ''}
                </caption>
                <thead>
                  <tr>
                    {shown.columns.map((c) => (
                      <th
                        key={c}
                        scope="col"
                        aria-sort={sort?.column === c ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}
                      >
                        <button type="button" className="sort-button" onClick={() => { setSort(nextSort(sort, c)); setOffset(0); }}>
                          {columnLabel(c)}
                          <span aria-hidden="true" className="sort-mark">
                            {sort?.column === c ? (sort.order === 'asc' ? '▲' : '▼') : '↕'}
                          </span>
                        </button>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {shown.rows.length === 0 ? (
                    <tr>
                      <td colSpan={shown.columns.length} className="muted">
                        No rows match.
                      </td>
                    </tr>
                  ) : (
                    shown.rows.map((row, i) => (
                      <tr key={shown.offset + i}>
                        {shown.columns.map((c) => (
                          <td key={c} className={typeof row[c] === 'number' ? 'num' : undefined}>
                            {formatCell(row[c] as CellValue)}
                          </td>
                        ))}
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </div>
            <div className="pager">
              <button
                type="button"
                className="button small"
                disabled={loading || shown.offset === 0}
                onClick={() => setOffset(Math.max(0, shown.offset - limit))}
              >
                Previous page
              </button>
              <button
                type="button"
                className="button small"
                disabled={loading || shown.offset + shown.rows.length >= shown.total}
                onClick={() => setOffset(shown.offset + limit)}
              >
                Next page
              </button>
            </div>
          </>
        ) : !error ? (
          <p className="muted">Loading…</p>
        ) : null}
      </div>
    </div>
  );
}
