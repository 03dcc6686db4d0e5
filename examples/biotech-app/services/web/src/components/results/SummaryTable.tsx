import { StatusBadge } from '@/components/StatusBadge';
import type { ResultFile } from '@/lib/results-api';
import { summaryRows } from '@/lib/results-summary';

/** The analysis-summary table: one row per file with its figures at the FDR threshold. */
export function SummaryTable({ files }: { files: ResultFile[] }) {
  const rows = summaryRows(files);
  return (
    <div className="table-wrap">
      <table className="table summary-table" data-testid="summary-table">
        <caption className="visually-hidden">Summary per file: coverage, identifications at the FDR threshold, QC</caption>
        <thead>
          <tr>
            <th scope="col">Protein</th>
            <th scope="col">File</th>
            <th scope="col" className="num">Coverage</th>
            <th scope="col" className="num">Peptides (accepted)</th>
            <th scope="col" className="num">PSMs (accepted)</th>
            <th scope="col" className="num">Identification rate</th>
            <th scope="col" className="num">Median |ppm|</th>
            <th scope="col">Status</th>
            <th scope="col">QC flags</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.fileId} data-testid="summary-row">
              <th scope="row" data-label="Protein">{r.protein}</th>
              <td data-label="File">{r.fileName}</td>
              <td className="num" data-label="Coverage" data-testid="summary-coverage">{r.coverage}</td>
              <td className="num" data-label="Peptides (accepted)" data-testid="summary-peptides">{r.peptides}</td>
              <td className="num" data-label="PSMs (accepted)" data-testid="summary-psms">{r.psms}</td>
              <td className="num" data-label="Identification rate" data-testid="summary-id-rate">{r.identificationRate}</td>
              <td className="num" data-label="Median |ppm|" data-testid="summary-ppm">{r.medianAbsPpm}</td>
              <td data-label="Status">
                <StatusBadge status={r.status} />
                {r.reason ? <span className="summary-reason error-text">{r.reason}</span> : null}
              </td>
              <td data-label="QC flags" data-testid="summary-qc">
                {r.qcFlags.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <ul className="qc-flags">
                    {r.qcFlags.map((flag) => (
                      <li key={flag}>{flag}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
