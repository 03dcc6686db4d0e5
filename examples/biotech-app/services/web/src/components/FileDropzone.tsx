'use client';

import { useId, useRef, useState, type DragEvent } from 'react';
import { ALLOWED_EXTENSIONS } from '@/lib/types';

/**
 * Drop area plus a regular file input (the keyboard and screen-reader path):
 * the visible button opens the input, and dropping files does the same.
 */
export function FileDropzone({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const inputId = useId();
  const hintId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    if (disabled) return;
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0) onFiles(files);
  };

  return (
    <div
      className={`dropzone${over ? ' dropzone-over' : ''}${disabled ? ' dropzone-disabled' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        if (!disabled) setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid="dropzone"
    >
      <p className="dropzone-title">Drop mass-spectrometry files here</p>
      <p id={hintId} className="muted">
        One file per protein. Accepted: {ALLOWED_EXTENSIONS.join(', ')}
      </p>
      <label htmlFor={inputId} className="button">
        Choose files…
      </label>
      <input
        ref={input}
        id={inputId}
        className="visually-hidden"
        type="file"
        multiple
        disabled={disabled}
        aria-describedby={hintId}
        accept={ALLOWED_EXTENSIONS.join(',')}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          if (files.length > 0) onFiles(files);
          if (input.current) input.current.value = '';
        }}
      />
    </div>
  );
}
