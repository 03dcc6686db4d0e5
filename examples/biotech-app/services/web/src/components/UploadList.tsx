'use client';

import { useThrottledAnnouncement } from '@/lib/announce';
import { formatBytes } from '@/lib/format';
import { uploadAnnouncement } from '@/lib/upload-announce';
import type { UploadEntry } from '@/lib/use-uploads';

interface Props {
  entries: UploadEntry[];
  onChange: (key: string, change: Partial<UploadEntry>) => void;
  onRemove: (key: string) => void;
  onRetry?: (key: string) => void;
  onCancel?: (key: string) => void;
}

const statusLabel: Record<UploadEntry['status'], string> = {
  ready: 'Ready',
  creating: 'Registering',
  uploading: 'Uploading',
  completing: 'Finishing',
  done: 'Uploaded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** One row per selected file: protein name, optional sequence, progress. */
export function UploadList({ entries, onChange, onRemove, onRetry, onCancel }: Props) {
  const { message, final } = uploadAnnouncement(entries);
  // Progress changes many times a second: one live region, changed at most every few seconds.
  const announced = useThrottledAnnouncement(message, final);
  if (entries.length === 0) return null;
  return (
    <>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="upload-announcer">
        {announced}
      </p>
      <ul className="upload-list" aria-label="Files to upload">
        {entries.map((entry) => {
          const editable = entry.status === 'ready';
          const percent = entry.progress
            ? Math.floor((entry.progress.uploadedBytes / Math.max(1, entry.progress.totalBytes)) * 100)
            : entry.status === 'done'
              ? 100
              : 0;
          const idBase = `upload-${entry.key}`;
          return (
            <li key={entry.key} className={`upload-item status-${entry.status}`} data-testid="upload-item">
              <div className="upload-head">
                <span className="file-name">{entry.file.name}</span>
                <span className="muted">{formatBytes(entry.file.size)}</span>
                <span className={`badge badge-${entry.status}`}>{statusLabel[entry.status]}</span>
              </div>
              <div className="upload-fields">
                <label htmlFor={`${idBase}-protein`}>
                  Protein name
                  <input
                    id={`${idBase}-protein`}
                    type="text"
                    value={entry.proteinName}
                    disabled={!editable}
                    maxLength={200}
                    onChange={(e) => onChange(entry.key, { proteinName: e.target.value })}
                  />
                </label>
                <label htmlFor={`${idBase}-sequence`}>
                  Protein sequence <span className="muted">(optional: one-letter codes, or FASTA with &gt; header lines)</span>
                  <textarea
                    id={`${idBase}-sequence`}
                    rows={2}
                    value={entry.sequence}
                    disabled={!editable}
                    spellCheck={false}
                    onChange={(e) => onChange(entry.key, { sequence: e.target.value })}
                  />
                </label>
              </div>
              {entry.status !== 'ready' && !entry.refusal ? (
                <div className="upload-progress">
                  <progress
                    id={`${idBase}-progress`}
                    max={100}
                    value={percent}
                    aria-label={`Upload progress of ${entry.file.name}`}
                    aria-valuetext={`${percent} percent`}
                  />
                  <span className="percent" aria-hidden="true">
                    {percent}%
                  </span>
                </div>
              ) : null}
              {entry.refusal === 'quota' ? (
                <div role="alert" className="notice notice-error" data-testid="quota-refusal">
                  <strong>Storage quota reached.</strong> {entry.message}
                </div>
              ) : null}
              <p className="upload-message">
                {entry.refusal ? '' : entry.message}
                {entry.progress && entry.status !== 'done'
                  ? ` (${entry.progress.partsDone}/${entry.progress.partCount} parts, ${formatBytes(entry.progress.uploadedBytes)} of ${formatBytes(entry.progress.totalBytes)})`
                  : ''}
              </p>
              <div className="upload-actions">
                {editable || entry.status === 'cancelled' || entry.refusal ? (
                  <button type="button" className="button small" onClick={() => onRemove(entry.key)}>
                    Remove<span className="visually-hidden"> {entry.file.name}</span>
                  </button>
                ) : null}
                {(entry.status === 'failed' || entry.status === 'cancelled') && !entry.refusal && onRetry ? (
                  <button type="button" className="button small" onClick={() => onRetry(entry.key)}>
                    Retry<span className="visually-hidden"> {entry.file.name}</span>
                  </button>
                ) : null}
                {entry.status === 'uploading' && onCancel ? (
                  <button type="button" className="button small" onClick={() => onCancel(entry.key)}>
                    Cancel<span className="visually-hidden"> {entry.file.name}</span>
                  </button>
                ) : null}
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
