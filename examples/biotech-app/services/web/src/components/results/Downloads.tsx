'use client';

import { useState, type MouseEvent } from 'react';
import type { ApiClient } from '@/lib/api';
import { archiveErrorText, downloadArchive, freshDownload, outputOf, saveBlob, type ResultDownload } from '@/lib/results-api';

/**
 * A file's outputs under their stable names. A click asks the API for a freshly presigned link
 * (a page left open for hours still downloads) and then goes to it; plots open in a new tab.
 */
export function FileDownloads({
  api,
  analysisId,
  fileId,
  downloads,
}: {
  api: ApiClient;
  analysisId: string;
  fileId: string;
  downloads: ResultDownload[];
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (downloads.length === 0) return null;

  const open = async (e: MouseEvent<HTMLAnchorElement>, d: ResultDownload) => {
    // Modified clicks (new tab, save link) keep the link presigned with the results.
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
    e.preventDefault();
    setBusy(d.name);
    setError(null);
    try {
      const fresh = await freshDownload(api, analysisId, fileId, outputOf(d));
      if (fresh.kind === 'plot') window.open(fresh.url, '_blank', 'noopener,noreferrer');
      else window.location.assign(fresh.url);
    } catch (err) {
      setError(`${d.name}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div>
      <h4>Downloads</h4>
      <ul className="downloads" data-testid="downloads">
        {downloads.map((d) => (
          <li key={d.name}>
            <a
              href={d.url}
              rel="noopener noreferrer"
              data-output={outputOf(d)}
              aria-busy={busy === d.name}
              onClick={(e) => void open(e, d)}
            >
              {d.name}
            </a>
          </li>
        ))}
      </ul>
      {error ? (
        <p className="error-text" role="alert">
          Could not get a download link for {error}
        </p>
      ) : null}
    </div>
  );
}

/** "Download all (zip)": every output of every file, streamed by the API as one archive. */
export function DownloadAll({ api, analysisId }: { api: ApiClient; analysisId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const file = await downloadArchive(api, analysisId);
      saveBlob(file.blob, file.name);
    } catch (e) {
      setError(archiveErrorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="download-all">
      <button type="button" className="button" disabled={busy} onClick={() => void run()}>
        {busy ? 'Preparing the zip…' : 'Download all (zip)'}
      </button>
      {error ? (
        <div role="alert" className="notice notice-error" data-testid="archive-error">
          {error}
        </div>
      ) : null}
    </div>
  );
}
