/** Shapes of the biotech-app API (camelCase JSON). */

export type FileStatus = 'UPLOADING' | 'UPLOADED' | 'ABORTED';
export type AnalysisStatus = 'RUNNING' | 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

export interface Me {
  id: string;
  email: string;
  name: string;
}

/** `GET /api/me/usage`: the estimated cost of the user's analyses this calendar month (UTC). */
export interface Usage {
  /** The month counted, `YYYY-MM` (UTC). */
  month: string;
  /** Sum of the recorded `estimatedCostUsd` of the user's analyses created this month. */
  spentUsd: number;
  /** The monthly limit (`MONTHLY_BUDGET_USD_PER_USER`); null when there is none. */
  budgetUsd: number | null;
  remainingUsd: number | null;
  analysesCounted: number;
  /** Analyses of the month whose cost is not known yet (running), or never will be. */
  analysesWithoutCost: number;
  /** When the month ends and the budget starts again (ISO 8601, UTC). */
  resetsAt: string;
}

export interface SampleFile {
  id: string;
  fileName: string;
  proteinName: string | null;
  sizeBytes: number;
  status: FileStatus;
  createdAt: string;
}

export interface Sample {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  fileCount: number;
  files?: SampleFile[];
}

export interface CreateFileResponse {
  file: SampleFile;
  upload: { partSizeBytes: number; partCount: number };
}

export interface Analysis {
  id: string;
  sampleId: string;
  status: AnalysisStatus;
  attempt: number;
  executionName: string;
  filesSucceeded: number;
  filesFailed: number;
  createdAt: string;
  completedAt?: string | null;
  cause?: string | null;
  /** The analysis this one reruns (a rerun is a new analysis; the earlier one is kept as it was). */
  rerunOf?: string | null;
  /** Estimated compute cost in USD (v2 pipeline); null when unknown. */
  estimatedCostUsd?: number | null;
}

export interface Download {
  name: string;
  url: string;
}

export interface FileResult {
  fileId: string;
  fileName: string;
  proteinName: string | null;
  status: string;
  /** schemaVersion of the worker's file summary the figures come from (1 or 2). */
  summaryVersion?: number | null;
  /** v2: coverage by peptides accepted at the FDR threshold; v1: precursor-only matches. */
  coveragePercent?: number | null;
  /** v2 only: identifications accepted at the FDR threshold. */
  psmsAccepted?: number | null;
  peptidesAccepted?: number | null;
  proteinGroupsAccepted?: number | null;
  /** v2 only: false when too few decoys made the FDR threshold unreachable (nothing accepted). */
  fdrEstimable?: boolean | null;
  /** v1 results only (the retired fragment check). */
  fragmentConfirmedCoveragePercent?: number | null;
  experimentType?: string | null;
  counts?: Record<string, number> | null;
  reason?: string | null;
  downloads: Download[];
}

export interface AnalysisResults {
  analysisId: string;
  status: AnalysisStatus;
  files: FileResult[];
}

export const TERMINAL_STATUSES: readonly AnalysisStatus[] = ['SUCCEEDED', 'PARTIAL', 'FAILED'];

export function isTerminal(status: AnalysisStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Extensions the API accepts for mass-spectrometry files. */
export const ALLOWED_EXTENSIONS = ['.mzML', '.mzML.gz', '.mzXML', '.mgf'] as const;

export function hasAllowedExtension(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return ALLOWED_EXTENSIONS.some((ext) => lower.endsWith(ext.toLowerCase()));
}

/** A default protein name from a file name: the name without its MS extension. */
export function proteinNameFromFileName(fileName: string): string {
  const lower = fileName.toLowerCase();
  for (const ext of [...ALLOWED_EXTENSIONS].sort((a, b) => b.length - a.length)) {
    if (lower.endsWith(ext.toLowerCase())) return fileName.slice(0, fileName.length - ext.length);
  }
  return fileName;
}

/**
 * The protein sequence to send as typed or pasted: a bare sequence or FASTA. Only the outer
 * blank lines go; the line breaks inside stay, because FASTA needs them (a header line ends at
 * its line break). The API checks and normalises it, and answers 422 naming the problem.
 * `undefined` when nothing was entered.
 */
export function sequenceForApi(typed: string): string | undefined {
  const text = typed.replace(/\r\n?/g, '\n').trim();
  return text ? text : undefined;
}
