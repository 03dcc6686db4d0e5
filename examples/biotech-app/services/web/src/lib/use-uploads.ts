'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from './api';
import { ApiError } from './api';
import { hasAllowedExtension, proteinNameFromFileName, sequenceForApi, type SampleFile } from './types';
import { describeError, isAbortError, startPacer, uploadMultipart, type UploadProgress } from './upload';
import { xhrPut } from './xhr-put';

export type EntryStatus = 'ready' | 'creating' | 'uploading' | 'completing' | 'done' | 'failed' | 'cancelled';

export interface UploadEntry {
  key: string;
  file: File;
  proteinName: string;
  sequence: string;
  status: EntryStatus;
  progress: UploadProgress | null;
  message: string;
  fileId?: string;
  /**
   * Set when the API refused the file for a limit the user must act on
   * (`storage_quota_exceeded`: the per-user storage quota). Retrying does not
   * help until they free space, so the list shows the reason, not a retry.
   */
  refusal?: 'quota';
}

/** The API's error codes for limits that a retry cannot get past. */
export const QUOTA_ERROR_CODES = new Set(['storage_quota_exceeded']);

interface ResumeRecord {
  fileId: string;
  partSizeBytes: number;
  partCount: number;
}

/** Key under which an unfinished upload is remembered, to resume it after a reload. */
function resumeKey(sampleId: string, file: File): string {
  return `biotech-upload:${sampleId}:${file.name}:${file.size}:${file.lastModified}`;
}

function readResume(key: string): ResumeRecord | null {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as ResumeRecord) : null;
  } catch {
    return null;
  }
}

function writeResume(key: string, record: ResumeRecord | null) {
  try {
    if (record) window.localStorage.setItem(key, JSON.stringify(record));
    else window.localStorage.removeItem(key);
  } catch {
    // storage full or disabled: resume after reload just won't be offered
  }
}

/** The line under the list when some files did not upload (empty when none failed). */
export function failureSummary(entries: Pick<UploadEntry, 'status' | 'refusal'>[]): string {
  if (entries.some((e) => e.refusal === 'quota')) {
    return 'Your storage quota is full: free space (delete samples you no longer need), then upload the refused files again.';
  }
  if (entries.some((e) => e.status === 'failed' || e.status === 'cancelled')) {
    return 'Some files did not upload; retry them below.';
  }
  return '';
}

let counter = 0;

/**
 * State and actions of a list of files to upload to one sample: add/remove
 * files, edit per-file protein name and sequence, upload them one file at a
 * time (parts in parallel), retry/resume a failed file.
 */
export function useUploads(api: ApiClient) {
  const [entries, setEntries] = useState<UploadEntry[]>([]);
  const controllers = useRef(new Map<string, AbortController>());
  const entriesRef = useRef<UploadEntry[]>([]);
  useEffect(() => {
    entriesRef.current = entries;
  }, [entries]);

  const patch = useCallback((key: string, change: Partial<UploadEntry>) => {
    setEntries((list) => list.map((e) => (e.key === key ? { ...e, ...change } : e)));
  }, []);

  /** Add files; returns the names rejected for their extension. */
  const addFiles = useCallback((files: Iterable<File>): string[] => {
    const rejected: string[] = [];
    const added: UploadEntry[] = [];
    for (const file of files) {
      if (!hasAllowedExtension(file.name)) {
        rejected.push(file.name);
        continue;
      }
      added.push({
        key: `f${++counter}`,
        file,
        proteinName: proteinNameFromFileName(file.name),
        sequence: '',
        status: 'ready',
        progress: null,
        message: '',
      });
    }
    setEntries((list) => [...list, ...added]);
    return rejected;
  }, []);

  const removeEntry = useCallback((key: string) => {
    controllers.current.get(key)?.abort();
    setEntries((list) => list.filter((e) => e.key !== key));
  }, []);

  const uploadOne = useCallback(
    async (sampleId: string, entry: UploadEntry, knownFiles: SampleFile[] = []): Promise<boolean> => {
      const controller = new AbortController();
      controllers.current.set(entry.key, controller);
      const storageKey = resumeKey(sampleId, entry.file);
      try {
        let record = readResume(storageKey);
        // Only resume an upload the API still reports as unfinished.
        if (record && knownFiles.length > 0) {
          const known = knownFiles.find((f) => f.id === record!.fileId);
          if (!known || known.status !== 'UPLOADING') record = null;
        }
        if (!record) {
          patch(entry.key, { status: 'creating', message: 'Registering the file…' });
          const created = await api.createFile(sampleId, {
            fileName: entry.file.name,
            sizeBytes: entry.file.size,
            ...(entry.proteinName.trim() ? { proteinName: entry.proteinName.trim() } : {}),
            ...(sequenceForApi(entry.sequence) ? { sequence: sequenceForApi(entry.sequence) } : {}),
          });
          record = {
            fileId: created.file.id,
            partSizeBytes: created.upload.partSizeBytes,
            partCount: created.upload.partCount,
          };
          writeResume(storageKey, record);
        }
        const { fileId } = record;
        patch(entry.key, { status: 'uploading', fileId, message: 'Uploading…' });
        await uploadMultipart({
          file: entry.file,
          partSizeBytes: record.partSizeBytes,
          partCount: record.partCount,
          signal: controller.signal,
          transport: {
            listUploadedParts: async (signal) => (await api.listParts(sampleId, fileId, signal)).parts,
            presignParts: async (numbers, signal) => (await api.presignParts(sampleId, fileId, numbers, signal)).parts,
            putPart: xhrPut,
            complete: (parts, signal) => api.completeFile(sampleId, fileId, parts, signal),
          },
          onProgress: (progress) =>
            patch(entry.key, {
              progress,
              status: progress.phase === 'completing' ? 'completing' : progress.phase === 'done' ? 'done' : 'uploading',
              message:
                progress.phase === 'checking'
                  ? 'Checking for parts already uploaded…'
                  : progress.phase === 'completing'
                    ? 'Finishing…'
                    : progress.phase === 'done'
                      ? 'Uploaded'
                      : progress.partsSkipped > 0
                        ? `Resuming: ${progress.partsSkipped} part(s) already uploaded`
                        : 'Uploading…',
            }),
          onRetry: ({ partNumber, attempt, delayMs }) =>
            patch(entry.key, {
              message: `Part ${partNumber} failed; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`,
            }),
        });
        writeResume(storageKey, null);
        patch(entry.key, { status: 'done', message: 'Uploaded' });
        return true;
      } catch (error) {
        if (isAbortError(error)) {
          patch(entry.key, { status: 'cancelled', message: 'Cancelled' });
        } else if (error instanceof ApiError && QUOTA_ERROR_CODES.has(error.code)) {
          patch(entry.key, { status: 'failed', refusal: 'quota', message: error.message });
        } else {
          const message = error instanceof ApiError ? error.message : describeError(error);
          patch(entry.key, { status: 'failed', refusal: undefined, message: `Upload failed: ${message}` });
        }
        return false;
      } finally {
        controllers.current.delete(entry.key);
      }
    },
    [api, patch],
  );

  /** Upload every file not yet uploaded; resolves with whether all succeeded. */
  const uploadAll = useCallback(
    async (sampleId: string, knownFiles: SampleFile[] = []): Promise<boolean> => {
      let ok = true;
      // Small files on a fast link would otherwise register and complete many times a second.
      const pacer = startPacer();
      for (const entry of entriesRef.current) {
        if (entry.status === 'done') continue;
        const latest = entriesRef.current.find((e) => e.key === entry.key);
        if (!latest) continue;
        await pacer.wait();
        ok = (await uploadOne(sampleId, latest, knownFiles)) && ok;
      }
      return ok;
    },
    [uploadOne],
  );

  const retry = useCallback(
    (sampleId: string, key: string, knownFiles: SampleFile[] = []) => {
      const entry = entriesRef.current.find((e) => e.key === key);
      return entry ? uploadOne(sampleId, entry, knownFiles) : Promise.resolve(false);
    },
    [uploadOne],
  );

  const cancel = useCallback((key: string) => controllers.current.get(key)?.abort(), []);
  const clearDone = useCallback(() => setEntries((list) => list.filter((e) => e.status !== 'done')), []);

  const busy = entries.some((e) => e.status === 'creating' || e.status === 'uploading' || e.status === 'completing');
  return { entries, addFiles, removeEntry, patch, uploadAll, retry, cancel, clearDone, busy };
}
