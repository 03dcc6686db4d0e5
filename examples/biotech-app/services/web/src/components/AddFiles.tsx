'use client';

import { useState } from 'react';
import { FileDropzone } from '@/components/FileDropzone';
import { UploadList } from '@/components/UploadList';
import type { useUploads } from '@/lib/use-uploads';

interface Props {
  uploads: ReturnType<typeof useUploads>;
  disabled: boolean;
  /** Retry a failed entry; without it, failed entries offer no retry. */
  onRetry?: (key: string) => void;
}

/** The drop zone, the names it refused and the list of chosen files with their progress. */
export function AddFiles({ uploads, disabled, onRetry }: Props) {
  const [rejected, setRejected] = useState<string[]>([]);
  return (
    <>
      <FileDropzone disabled={disabled} onFiles={(files) => setRejected(uploads.addFiles(files))} />
      {rejected.length > 0 ? (
        <p role="alert" className="error-text">
          Not added (unsupported type): {rejected.join(', ')}
        </p>
      ) : null}
      <UploadList
        entries={uploads.entries}
        onChange={uploads.patch}
        onRemove={uploads.removeEntry}
        onCancel={uploads.cancel}
        onRetry={onRetry}
      />
    </>
  );
}
