import { formatPercent } from './format';
import type { FileResult } from './types';

export interface Metric {
  label: string;
  value: string;
  testId?: string;
}

function count(value: number | null | undefined): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/**
 * The figures shown for one file's result, from the API's neutral fields. The API reads worker file
 * summaries of both contract versions: v2 results carry accepted identifications and whether the FDR
 * threshold was reachable; v1 results carry the retired fragment-confirmed coverage instead.
 */
export function resultMetrics(result: FileResult): Metric[] {
  const metrics: Metric[] = [{ label: 'Coverage', value: formatPercent(result.coveragePercent), testId: 'coverage' }];
  const accepted: [string, number | null | undefined][] = [
    ['Accepted PSMs', result.psmsAccepted],
    ['Accepted peptides', result.peptidesAccepted],
    ['Accepted protein groups', result.proteinGroupsAccepted],
  ];
  for (const [label, value] of accepted) {
    const shown = count(value);
    if (shown !== null) metrics.push({ label, value: shown });
  }
  if (typeof result.fdrEstimable === 'boolean') {
    metrics.push({
      label: 'FDR estimable',
      value: result.fdrEstimable
        ? 'yes'
        : 'no – too few decoy candidates to reach the threshold; add contaminants or a background proteome',
    });
  }
  if (typeof result.fragmentConfirmedCoveragePercent === 'number') {
    metrics.push({
      label: 'Fragment-confirmed coverage',
      value: formatPercent(result.fragmentConfirmedCoveragePercent),
    });
  }
  metrics.push({ label: 'Experiment type', value: result.experimentType ?? '–' });
  return metrics;
}
