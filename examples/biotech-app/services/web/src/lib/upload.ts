/**
 * Browser-to-S3 multipart upload engine.
 *
 * The engine is free of DOM and fetch specifics: everything that talks to the
 * network goes through an {@link UploadTransport}, so the part planning, the
 * retry policy and the resume logic can be unit tested with fakes.
 */

/** One byte range of the source file, uploaded as one S3 part. */
export interface PartPlan {
  /** 1-based S3 part number. */
  partNumber: number;
  /** First byte (inclusive). */
  start: number;
  /** Last byte (exclusive). */
  end: number;
}

/** A part S3 already holds, as reported by the API (`GET .../parts`). */
export interface UploadedPart {
  partNumber: number;
  etag: string;
  sizeBytes: number;
}

/** A presigned PUT URL for one part (`POST .../parts`). */
export interface PresignedPart {
  partNumber: number;
  url: string;
  expiresAt?: string;
  /**
   * The part's exact length, signed into the URL as Content-Length: storage
   * refuses a PUT of any other size. The engine checks its slice against it.
   */
  sizeBytes?: number;
}

/**
 * Part URLs asked for in one call: a small window ahead of the parts being
 * sent, refilled as parts start. One API call per this many parts keeps a
 * large upload far below the edge's per-IP rate limit (see the uploads page
 * of the docs), while no URL waits long before it is used: URLs expire
 * (PRESIGN_EXPIRY_SECONDS, 900 s) and die with the API's Pod Identity
 * session, so they are never fetched for the whole file up front.
 */
export const PRESIGN_WINDOW = 8;

/** Parts sent at the same time. */
export const DEFAULT_CONCURRENCY = 3;

/**
 * Files of one batch start at least this far apart. Each file costs at least
 * four API requests (register, list parts, presign, complete), so a sample of
 * many small files on a fast link is paced to at most 150 files (600
 * requests) per 5 minutes, inside the edge's per-IP rate limit.
 */
export const MIN_FILE_START_INTERVAL_MS = 2_000;

/**
 * `wait()` resolves when the next start is allowed: at least `intervalMs`
 * after the previous one (the first start is immediate).
 */
export function startPacer(
  intervalMs: number = MIN_FILE_START_INTERVAL_MS,
  now: () => number = Date.now,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void> = abortableSleep,
) {
  let last = Number.NEGATIVE_INFINITY;
  return {
    async wait(signal?: AbortSignal): Promise<void> {
      const delay = last + intervalMs - now();
      if (delay > 0) await sleep(delay, signal);
      last = now();
    },
  };
}

/** A URL with less life left than this is not used: a fresh one is fetched. */
export const URL_SAFETY_MARGIN_MS = 60_000;

/** Assumed lifetime of a URL whose answer gives no `expiresAt`. */
export const DEFAULT_URL_LIFETIME_MS = 900_000;

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** Network operations the engine needs; the app binds them to the API. */
export interface UploadTransport<TResult = unknown> {
  /** Parts already stored for this upload (used to resume). */
  listUploadedParts(signal?: AbortSignal): Promise<UploadedPart[]>;
  /** Presigned URLs for the given parts; asked for just before sending. */
  presignParts(partNumbers: number[], signal?: AbortSignal): Promise<PresignedPart[]>;
  /**
   * PUT the bytes to the presigned URL. Resolves with the ETag response
   * header, or null when the browser cannot read it (CORS not exposing it);
   * the engine then takes the ETag from {@link listUploadedParts}.
   */
  putPart(
    url: string,
    body: Blob,
    onProgress: (loadedBytes: number) => void,
    signal?: AbortSignal,
  ): Promise<string | null>;
  /** Finish the multipart upload. */
  complete(parts: CompletedPart[], signal?: AbortSignal): Promise<TResult>;
}

export interface UploadProgress {
  /** Bytes confirmed or in flight so far (skipped parts count as done). */
  uploadedBytes: number;
  totalBytes: number;
  partsDone: number;
  partCount: number;
  /** Parts found already uploaded when the upload started. */
  partsSkipped: number;
  /** Part retries performed so far. */
  retries: number;
  phase: 'checking' | 'uploading' | 'completing' | 'done';
}

export interface RetryPolicy {
  /** Attempts per part, including the first one. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8_000 };

export interface UploadOptions<TResult> {
  file: Blob;
  partSizeBytes: number;
  /** Part count announced by the API; checked against the plan when given. */
  partCount?: number;
  transport: UploadTransport<TResult>;
  /** Parts sent at the same time (default {@link DEFAULT_CONCURRENCY}). */
  concurrency?: number;
  /** Part URLs asked for in one call (default {@link PRESIGN_WINDOW}). */
  presignWindow?: number;
  /** Injected for tests: the clock that judges URL expiry. */
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  onProgress?: (progress: UploadProgress) => void;
  /** Called before each retry with the error and the wait, for display. */
  onRetry?: (info: { partNumber: number; attempt: number; delayMs: number; error: unknown }) => void;
  signal?: AbortSignal;
  /** Injected for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** Error thrown by a transport for an HTTP failure. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The server signed a part length that differs from the slice the browser would send. */
export class PartSizeMismatchError extends Error {
  constructor(
    readonly partNumber: number,
    readonly sliceBytes: number,
    readonly signedBytes: number,
  ) {
    super(
      `Part ${partNumber} is ${sliceBytes} bytes here but its upload URL is signed for ${signedBytes}: ` +
        'register the file again',
    );
    this.name = 'PartSizeMismatchError';
  }
}

/** Thrown when a part still fails after all attempts. */
export class PartUploadError extends Error {
  constructor(
    readonly partNumber: number,
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`Part ${partNumber} failed after ${attempts} attempt(s): ${describeError(lastError)}`);
    this.name = 'PartUploadError';
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    (error as { name: unknown }).name === 'AbortError'
  );
}

/**
 * Split `sizeBytes` into parts of `partSizeBytes` (the last one shorter).
 * An empty file still gets one (empty) part, as S3 requires at least one.
 */
export function planParts(sizeBytes: number, partSizeBytes: number, partCount?: number): PartPlan[] {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
    throw new RangeError(`Invalid file size: ${sizeBytes}`);
  }
  if (!Number.isSafeInteger(partSizeBytes) || partSizeBytes <= 0) {
    throw new RangeError(`Invalid part size: ${partSizeBytes}`);
  }
  const count = Math.max(1, Math.ceil(sizeBytes / partSizeBytes));
  if (partCount !== undefined && partCount !== count) {
    throw new RangeError(
      `The server expects ${partCount} part(s) but ${sizeBytes} bytes in parts of ${partSizeBytes} make ${count}`,
    );
  }
  const parts: PartPlan[] = [];
  for (let i = 0; i < count; i++) {
    const start = i * partSizeBytes;
    parts.push({ partNumber: i + 1, start, end: Math.min(sizeBytes, start + partSizeBytes) });
  }
  return parts;
}

/**
 * Wait before retry number `attempt` (1 = first retry): exponential growth
 * capped at `maxDelayMs`, with "equal jitter" (between half and all of it).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** Whether an error is worth another attempt. */
export function isRetryable(error: unknown): boolean {
  if (isAbortError(error)) return false;
  // HttpError from storage, or the API client's error: both carry `status`.
  const status =
    typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
      ? (error as { status: number }).status
      : null;
  if (error instanceof PartSizeMismatchError) return false;
  if (status === null) return true;
  // 403: presigned URL expired (a fresh one is fetched on retry);
  // 408/429/5xx: transient; 0: network error.
  return status === 0 || status === 403 || status === 408 || status === 429 || status >= 500;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether an error is storage refusing the URL (expired, or its signing session ended). */
function isForbidden(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 403;
}

interface CachedUrl {
  part: PresignedPart;
  /** When the URL stops being usable (its expiry minus the safety margin). */
  usableUntil: number;
}

/**
 * The presigned URLs fetched ahead of use, for the parts next in line. Each
 * URL is used once; a part that needs one and finds none (or only a stale
 * one) fetches a batch starting with itself. When fewer than `lowWater` are
 * left, the next `window` are fetched while parts are being sent, so at most
 * `window + lowWater - 1` URLs wait unused.
 */
class PartUrlWindow {
  private readonly cache = new Map<number, CachedUrl>();
  private readonly pending = new Map<number, Promise<void>>();

  constructor(
    private readonly transport: UploadTransport<unknown>,
    /** Parts not yet taken by a sender, in sending order (shared with the senders). */
    private readonly upcoming: PartPlan[],
    private readonly window: number,
    private readonly lowWater: number,
    private readonly now: () => number,
  ) {}

  /** The URL for `partNumber`, fetched now if none fresh is at hand. */
  async take(partNumber: number, signal?: AbortSignal): Promise<PresignedPart> {
    for (let round = 0; round < 3; round++) {
      const cached = this.fresh(partNumber);
      if (cached) {
        this.cache.delete(partNumber);
        this.refill(signal);
        return cached.part;
      }
      const pending = this.pending.get(partNumber);
      if (pending) {
        // Fetched by a batch in flight; if that batch fails, fetch it ourselves.
        await pending.catch(() => undefined);
        continue;
      }
      // This part, and the next ones in line up to `window` URLs unused in all.
      await this.fetch([partNumber, ...this.next(this.window - 1 - this.cache.size, partNumber)], signal);
      // Just fetched for this very attempt: use it even if the clocks make it look short-lived.
      const fetched = this.cache.get(partNumber);
      if (fetched) {
        this.cache.delete(partNumber);
        this.refill(signal);
        return fetched.part;
      }
    }
    throw new Error(`No upload URL returned for part ${partNumber}`);
  }

  /** Forget every URL: after a 403, the session that signed them is gone. */
  invalidate(): void {
    this.cache.clear();
  }

  /** URLs fetched and not yet used (for tests and progress displays). */
  get unused(): number {
    return this.cache.size;
  }

  private fresh(partNumber: number): CachedUrl | undefined {
    const cached = this.cache.get(partNumber);
    if (cached && cached.usableUntil <= this.now()) {
      this.cache.delete(partNumber);
      return undefined;
    }
    return cached;
  }

  /** Up to `count` upcoming parts with no URL at hand or on its way. */
  private next(count: number, except?: number): number[] {
    const picked: number[] = [];
    if (count <= 0) return picked;
    for (const part of this.upcoming) {
      if (picked.length >= count) break;
      const n = part.partNumber;
      if (n !== except && !this.fresh(n) && !this.pending.has(n)) picked.push(n);
    }
    return picked;
  }

  /** Start the next batch in the background when few URLs are left. */
  private refill(signal?: AbortSignal): void {
    if (this.pending.size > 0 || this.cache.size >= this.lowWater || signal?.aborted) return;
    // A whole window per call: one API request per `window` parts.
    const numbers = this.next(this.window);
    if (numbers.length > 0) this.fetch(numbers, signal).catch(() => undefined);
  }

  private fetch(numbers: number[], signal?: AbortSignal): Promise<void> {
    const request = (async () => {
      const answer = await this.transport.presignParts(numbers, signal);
      const fetchedAt = this.now();
      for (const part of answer) {
        if (!numbers.includes(part.partNumber)) continue;
        const expiresAt = part.expiresAt ? Date.parse(part.expiresAt) : Number.NaN;
        // `expiresAt` is on the server's clock. A browser clock far off makes the lifetime it implies
        // implausible (gone already, or longer than URLs live): then assume the usual lifetime.
        const implied = expiresAt - Date.now();
        const lifetime =
          Number.isFinite(implied) && implied > URL_SAFETY_MARGIN_MS && implied <= DEFAULT_URL_LIFETIME_MS
            ? implied
            : DEFAULT_URL_LIFETIME_MS;
        this.cache.set(part.partNumber, { part, usableUntil: fetchedAt + lifetime - URL_SAFETY_MARGIN_MS });
      }
    })();
    for (const n of numbers) this.pending.set(n, request);
    const settle = () => {
      for (const n of numbers) if (this.pending.get(n) === request) this.pending.delete(n);
    };
    return request.then(settle, (error: unknown) => {
      settle();
      throw error;
    });
  }
}

/**
 * Upload `file` as a multipart upload: ask which parts exist (resume), send
 * the missing ones with bounded concurrency and per-part retry with backoff,
 * then complete with every part's ETag.
 */
export async function uploadMultipart<TResult>(options: UploadOptions<TResult>): Promise<TResult> {
  const {
    file,
    partSizeBytes,
    partCount,
    transport,
    signal,
    onProgress,
    onRetry,
    sleep = abortableSleep,
    random = Math.random,
    now = Date.now,
  } = options;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const presignWindow = Math.max(1, Math.min(100, options.presignWindow ?? PRESIGN_WINDOW));
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const plan = planParts(file.size, partSizeBytes, partCount);

  const progress: UploadProgress = {
    uploadedBytes: 0,
    totalBytes: file.size,
    partsDone: 0,
    partCount: plan.length,
    partsSkipped: 0,
    retries: 0,
    phase: 'checking',
  };
  const emit = () => onProgress?.({ ...progress });
  emit();

  // Resume: parts already stored with the expected size are not sent again.
  const existing = new Map<number, UploadedPart>();
  for (const part of await transport.listUploadedParts(signal)) existing.set(part.partNumber, part);
  const etags = new Map<number, string | null>();
  const todo: PartPlan[] = [];
  for (const part of plan) {
    const found = existing.get(part.partNumber);
    if (found && found.etag && found.sizeBytes === part.end - part.start) {
      etags.set(part.partNumber, found.etag);
      progress.partsDone++;
      progress.partsSkipped++;
    } else {
      todo.push(part);
    }
  }
  const inFlight = new Map<number, number>();
  let confirmedBytes = plan
    .filter((p) => etags.has(p.partNumber))
    .reduce((sum, p) => sum + (p.end - p.start), 0);
  const refreshBytes = () => {
    let sum = confirmedBytes;
    for (const loaded of inFlight.values()) sum += loaded;
    progress.uploadedBytes = Math.min(file.size, sum);
  };
  refreshBytes();
  progress.phase = 'uploading';
  emit();

  // Parts not yet taken by a sender, in order; the URL window fetches ahead from its front.
  const queue = [...todo];
  const urls = new PartUrlWindow(
    transport as UploadTransport<unknown>,
    queue,
    presignWindow,
    Math.min(presignWindow, concurrency),
    now,
  );

  const sendPart = async (part: PartPlan) => {
    const size = part.end - part.start;
    const body = file.slice(part.start, part.end);
    for (let attempt = 1; ; attempt++) {
      try {
        // Each attempt uses a URL of its own, from the window (fetched just ahead of use).
        const presigned = await urls.take(part.partNumber, signal);
        if (presigned.sizeBytes !== undefined && presigned.sizeBytes !== size) {
          // The URL signs a length this slice does not have: storage would refuse every attempt.
          throw new PartSizeMismatchError(part.partNumber, size, presigned.sizeBytes);
        }
        inFlight.set(part.partNumber, 0);
        const etag = await transport.putPart(
          presigned.url,
          body,
          (loaded) => {
            inFlight.set(part.partNumber, Math.min(size, loaded));
            refreshBytes();
            emit();
          },
          signal,
        );
        inFlight.delete(part.partNumber);
        confirmedBytes += size;
        etags.set(part.partNumber, etag);
        progress.partsDone++;
        refreshBytes();
        emit();
        return;
      } catch (error) {
        inFlight.delete(part.partNumber);
        refreshBytes();
        // A 403 from storage: the URL expired or its signing session ended, and so did the
        // other URLs fetched with it. Drop them all; the retry presigns again.
        if (isForbidden(error)) urls.invalidate();
        if (signal?.aborted || !isRetryable(error) || attempt >= retry.maxAttempts) {
          if (isAbortError(error) || signal?.aborted) throw error;
          throw new PartUploadError(part.partNumber, attempt, error);
        }
        const delayMs = backoffDelay(attempt, retry, random);
        progress.retries++;
        emit();
        onRetry?.({ partNumber: part.partNumber, attempt, delayMs, error });
        await sleep(delayMs, signal);
      }
    }
  };

  // A small worker pool over the queue of missing parts. The first failure
  // stops the other workers from taking new parts.
  let failure: unknown = null;
  const worker = async () => {
    while (queue.length > 0 && failure === null) {
      const part = queue.shift()!;
      try {
        await sendPart(part);
      } catch (error) {
        if (failure === null) failure = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
  if (failure !== null) throw failure;

  progress.phase = 'completing';
  emit();
  // Fill in ETags the browser could not read from the PUT responses.
  if ([...etags.values()].some((e) => !e)) {
    for (const part of await transport.listUploadedParts(signal)) {
      if (!etags.get(part.partNumber) && part.etag) etags.set(part.partNumber, part.etag);
    }
  }
  const completed: CompletedPart[] = plan.map((p) => {
    const etag = etags.get(p.partNumber);
    if (!etag) throw new Error(`No ETag known for part ${p.partNumber}`);
    return { partNumber: p.partNumber, etag };
  });
  const result = await transport.complete(completed, signal);
  progress.phase = 'done';
  progress.uploadedBytes = file.size;
  emit();
  return result;
}
