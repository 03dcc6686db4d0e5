import { HttpError } from './upload';

/**
 * PUT `body` to a presigned S3 URL with XMLHttpRequest, which (unlike fetch)
 * reports upload progress. Resolves with the ETag header, or null when CORS
 * does not expose it.
 */
export function xhrPut(
  url: string,
  body: Blob,
  onProgress: (loadedBytes: number) => void,
  signal?: AbortSignal,
): Promise<string | null> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('Aborted', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => signal?.removeEventListener('abort', onAbort);
    xhr.open('PUT', url);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      cleanup();
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size);
        resolve(readEtag(xhr));
      } else {
        reject(new HttpError(`Storage answered ${xhr.status} ${xhr.statusText}`.trim(), xhr.status));
      }
    };
    xhr.onerror = () => {
      cleanup();
      reject(new HttpError('Network error while sending a part', 0));
    };
    xhr.ontimeout = () => {
      cleanup();
      reject(new HttpError('Timed out while sending a part', 408));
    };
    xhr.onabort = () => {
      cleanup();
      reject(new DOMException('Aborted', 'AbortError'));
    };
    xhr.send(body);
  });
}

/**
 * The ETag response header if CORS exposes it. Reading the list of exposed
 * headers (rather than asking for ETag directly) avoids a console error in
 * browsers when it is not exposed.
 */
function readEtag(xhr: XMLHttpRequest): string | null {
  for (const line of xhr.getAllResponseHeaders().split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'etag') return line.slice(colon + 1).trim();
  }
  return null;
}
