import type { UploadEntry } from './use-uploads';

/**
 * One sentence about all uploads, for a screen reader: overall progress while files upload, then
 * the outcome. `final` is true once nothing is uploading any more (the outcome is not held back).
 */
export function uploadAnnouncement(entries: readonly UploadEntry[]): { message: string; final: boolean } {
  const active = entries.filter((e) => e.status === 'creating' || e.status === 'uploading' || e.status === 'completing');
  const done = entries.filter((e) => e.status === 'done').length;
  const failed = entries.filter((e) => e.status === 'failed').length;
  if (active.length > 0) {
    let total = 0;
    let uploaded = 0;
    for (const e of entries) {
      if (e.status === 'ready' || e.status === 'cancelled') continue;
      total += e.progress?.totalBytes ?? e.file.size;
      uploaded += e.status === 'done' ? (e.progress?.totalBytes ?? e.file.size) : (e.progress?.uploadedBytes ?? 0);
    }
    const percent = total > 0 ? Math.floor((uploaded / total) * 100) : 0;
    const files = active.length === 1 ? '1 file' : `${active.length} files`;
    return { message: `Uploading ${files}: ${percent} percent done.`, final: false };
  }
  if (done === 0 && failed === 0) return { message: '', final: true };
  const parts = [];
  if (done) parts.push(`${done} ${done === 1 ? 'file' : 'files'} uploaded`);
  if (failed) parts.push(`${failed} failed`);
  return { message: `${parts.join(', ')}.`.replace(/^./, (c) => c.toUpperCase()), final: true };
}
