import type { AnalysisStatus, FileStatus } from '@/lib/types';

export function StatusBadge({ status }: { status: AnalysisStatus | FileStatus | string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{status}</span>;
}
