import { describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_CONCURRENCY,
  HttpError,
  PRESIGN_WINDOW,
  PartSizeMismatchError,
  PartUploadError,
  backoffDelay,
  isRetryable,
  planParts,
  uploadMultipart,
  type CompletedPart,
  type UploadProgress,
  type UploadTransport,
  type UploadedPart,
} from '../../src/lib/upload';

const MiB = 1024 * 1024;

describe('planParts', () => {
  it('splits into equal parts with a shorter last one', () => {
    const parts = planParts(12 * MiB + 1, 5 * MiB);
    expect(parts).toEqual([
      { partNumber: 1, start: 0, end: 5 * MiB },
      { partNumber: 2, start: 5 * MiB, end: 10 * MiB },
      { partNumber: 3, start: 10 * MiB, end: 12 * MiB + 1 },
    ]);
  });

  it('gives one part when the file fits, and an exact multiple has no empty tail', () => {
    expect(planParts(10, 5 * MiB)).toEqual([{ partNumber: 1, start: 0, end: 10 }]);
    expect(planParts(10 * MiB, 5 * MiB)).toHaveLength(2);
  });

  it('gives one empty part for an empty file', () => {
    expect(planParts(0, 5 * MiB)).toEqual([{ partNumber: 1, start: 0, end: 0 }]);
  });

  it('covers every byte exactly once', () => {
    const size = 1_234_567;
    const parts = planParts(size, 100_000);
    expect(parts[0].start).toBe(0);
    for (let i = 1; i < parts.length; i++) expect(parts[i].start).toBe(parts[i - 1].end);
    expect(parts.at(-1)!.end).toBe(size);
    expect(parts.map((p) => p.partNumber)).toEqual(parts.map((_, i) => i + 1));
  });

  it('rejects a part count that does not match the server', () => {
    expect(() => planParts(11, 5, 2)).toThrow(/expects 2 part/);
    expect(planParts(11, 5, 3)).toHaveLength(3);
  });

  it('rejects invalid sizes', () => {
    expect(() => planParts(-1, 5)).toThrow(RangeError);
    expect(() => planParts(10, 0)).toThrow(RangeError);
  });
});

describe('backoffDelay', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it('doubles per attempt and stays within [half, full]', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(2, policy, () => 1)).toBe(200);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(300);
  });
  it('is capped', () => {
    expect(backoffDelay(20, policy, () => 1)).toBe(1000);
  });
});

describe('isRetryable', () => {
  it('retries transient failures and expired URLs, not client errors or aborts', () => {
    expect(isRetryable(new HttpError('net', 0))).toBe(true);
    expect(isRetryable(new HttpError('expired', 403))).toBe(true);
    expect(isRetryable(new HttpError('slow', 503))).toBe(true);
    expect(isRetryable(new HttpError('bad', 400))).toBe(false);
    expect(isRetryable(new DOMException('x', 'AbortError'))).toBe(false);
    expect(isRetryable(new Error('anything else'))).toBe(true);
    // Errors of the API client carry a status too: a 401 or 404 is final.
    expect(isRetryable(Object.assign(new Error('unauthorized'), { status: 401 }))).toBe(false);
    expect(isRetryable(Object.assign(new Error('unavailable'), { status: 503 }))).toBe(true);
  });
});

/**
 * In-memory stand-in for the API + S3, with failure injection. Like the real
 * API it answers at most 100 part numbers a call, each URL with the part's
 * signed length (`sizeBytes`) and an expiry; like S3 it answers 403 to a URL
 * used with another length, after its expiry, or after its session ended.
 */
class FakeStore implements UploadTransport<{ parts: CompletedPart[] }> {
  stored = new Map<number, { etag: string; size: number }>();
  presignCalls: number[][] = [];
  putCalls: number[] = [];
  /** Every presign and PUT, in order, with the URLs fetched and not yet used at that moment. */
  events: { kind: 'presign' | 'put'; parts: number[]; unusedBefore: number; inFlight: number }[] = [];
  /** Remaining failures to inject per part number. */
  failures = new Map<number, HttpError[]>();
  exposeEtag = true;
  completed: CompletedPart[] | null = null;
  inFlight = 0;
  maxInFlight = 0;
  forbidden = 0;
  /** Fake clock (ms) and URL lifetime, as the API's PRESIGN_EXPIRY_SECONDS. */
  clock = 1_000_000;
  lifetimeMs = 900_000;
  /** Clock advance per PUT (a slow link). */
  putTakesMs = 0;
  /** URLs of presign calls numbered below this belong to an ended session. */
  sessionStartsAtCall = 0;
  /** End the session (like the API's Pod Identity credentials rotating) at this PUT (1-based). */
  endSessionAtPut = 0;
  /** Overrides the signed length of a part. */
  signedSize = new Map<number, number>();
  private issued = new Map<string, { call: number; at: number; size: number; used: boolean }>();

  constructor(
    private readonly fileSize = Number.POSITIVE_INFINITY,
    private readonly partSize = Number.POSITIVE_INFINITY,
  ) {}

  now = () => this.clock;

  private lengthOf(n: number): number | undefined {
    if (this.signedSize.has(n)) return this.signedSize.get(n);
    if (!Number.isFinite(this.fileSize)) return undefined;
    const count = Math.max(1, Math.ceil(this.fileSize / this.partSize));
    return n < count ? this.partSize : this.fileSize - this.partSize * (count - 1);
  }

  private get unused(): number {
    return [...this.issued.values()].filter((u) => !u.used && u.call >= this.sessionStartsAtCall).length;
  }

  async listUploadedParts(): Promise<UploadedPart[]> {
    return [...this.stored.entries()].map(([partNumber, v]) => ({ partNumber, etag: v.etag, sizeBytes: v.size }));
  }
  async presignParts(partNumbers: number[]) {
    if (partNumbers.length < 1 || partNumbers.length > 100) throw new HttpError('1 to 100 part numbers', 422);
    this.events.push({ kind: 'presign', parts: partNumbers, unusedBefore: this.unused, inFlight: this.inFlight });
    this.presignCalls.push(partNumbers);
    const call = this.presignCalls.length;
    const expiresAt = new Date(Date.now() + this.lifetimeMs).toISOString();
    return partNumbers.map((n) => {
      const url = `https://s3.test/part/${n}?sig=${call}`;
      const size = this.lengthOf(n);
      this.issued.set(url, { call, at: this.clock, size: size ?? -1, used: false });
      return { partNumber: n, url, expiresAt, ...(size === undefined ? {} : { sizeBytes: size }) };
    });
  }
  async putPart(url: string, body: Blob, onProgress: (n: number) => void) {
    const partNumber = Number(/part\/(\d+)/.exec(url)![1]);
    this.putCalls.push(partNumber);
    const issued = this.issued.get(url)!;
    this.events.push({ kind: 'put', parts: [partNumber], unusedBefore: this.unused, inFlight: this.inFlight });
    issued.used = true;
    if (this.putCalls.length === this.endSessionAtPut) this.sessionStartsAtCall = this.presignCalls.length + 1;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      if (
        issued.call < this.sessionStartsAtCall ||
        this.clock >= issued.at + this.lifetimeMs ||
        (issued.size >= 0 && body.size !== issued.size)
      ) {
        this.forbidden++;
        throw new HttpError('Storage answered 403 Forbidden', 403);
      }
      this.clock += this.putTakesMs;
      const pending = this.failures.get(partNumber);
      if (pending && pending.length > 0) throw pending.shift();
      onProgress(Math.floor(body.size / 2));
      onProgress(body.size);
      const etag = `"etag-${partNumber}-${body.size}"`;
      this.stored.set(partNumber, { etag, size: body.size });
      return this.exposeEtag ? etag : null;
    } finally {
      this.inFlight--;
    }
  }
  async complete(parts: CompletedPart[]) {
    this.completed = parts;
    return { parts };
  }
}

const noSleep = vi.fn(async () => {});

function blobOf(size: number): Blob {
  return new Blob([new Uint8Array(size)]);
}

describe('uploadMultipart', () => {
  it('uploads every part and completes with ordered ETags', async () => {
    const store = new FakeStore();
    const updates: UploadProgress[] = [];
    await uploadMultipart({
      file: blobOf(25),
      partSizeBytes: 10,
      partCount: 3,
      transport: store,
      onProgress: (p) => updates.push(p),
      sleep: noSleep,
    });
    expect(store.completed).toEqual([
      { partNumber: 1, etag: '"etag-1-10"' },
      { partNumber: 2, etag: '"etag-2-10"' },
      { partNumber: 3, etag: '"etag-3-5"' },
    ]);
    // One call fetched the URLs of the three parts (the window is larger).
    expect(store.presignCalls).toEqual([[1, 2, 3]]);
    const last = updates.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', uploadedBytes: 25, partsDone: 3, partCount: 3 });
    // Progress never goes backwards and never exceeds the total.
    const bytes = updates.map((u) => u.uploadedBytes);
    expect(Math.max(...bytes)).toBeLessThanOrEqual(25);
    expect(updates.some((u) => u.uploadedBytes > 0 && u.uploadedBytes < 25)).toBe(true);
  });

  it('keeps at most `concurrency` parts in flight', async () => {
    const store = new FakeStore();
    await uploadMultipart({ file: blobOf(100), partSizeBytes: 10, transport: store, concurrency: 2, sleep: noSleep });
    expect(store.maxInFlight).toBeLessThanOrEqual(2);
    expect(store.completed).toHaveLength(10);
  });

  it('retries a failing part with backoff and a fresh URL', async () => {
    const store = new FakeStore();
    store.failures.set(2, [new HttpError('boom', 500), new HttpError('expired', 403)]);
    const sleeps: number[] = [];
    const retries: number[] = [];
    await uploadMultipart({
      file: blobOf(30),
      partSizeBytes: 10,
      transport: store,
      concurrency: 1,
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 },
      random: () => 1,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onRetry: ({ attempt }) => retries.push(attempt),
    });
    expect(sleeps).toEqual([100, 200]);
    expect(retries).toEqual([1, 2]);
    expect(store.putCalls.filter((n) => n === 2)).toHaveLength(3);
    // Three different URLs for part 2, one per attempt.
    expect(store.presignCalls.filter((c) => c.includes(2))).toHaveLength(3);
    expect(store.completed).toHaveLength(3);
  });

  it('gives up after maxAttempts and does not complete', async () => {
    const store = new FakeStore();
    store.failures.set(1, Array.from({ length: 10 }, () => new HttpError('down', 503)));
    const error = await uploadMultipart({
      file: blobOf(10),
      partSizeBytes: 10,
      transport: store,
      retry: { maxAttempts: 3 },
      sleep: noSleep,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(PartUploadError);
    expect(error).toMatchObject({ partNumber: 1, attempts: 3 });
    expect(store.putCalls).toEqual([1, 1, 1]);
    expect(store.completed).toBeNull();
  });

  it('does not retry a non-retryable error', async () => {
    const store = new FakeStore();
    store.failures.set(1, [new HttpError('bad request', 400)]);
    const error = await uploadMultipart({ file: blobOf(10), partSizeBytes: 10, transport: store, sleep: noSleep }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ name: 'PartUploadError', attempts: 1 });
  });

  it('resumes: skips parts the server already has with the right size', async () => {
    const store = new FakeStore();
    store.stored.set(1, { etag: '"old-1"', size: 10 });
    store.stored.set(3, { etag: '"old-3"', size: 10 });
    store.stored.set(4, { etag: '"wrong-size"', size: 3 }); // last part is 5 bytes: re-sent
    const updates: UploadProgress[] = [];
    await uploadMultipart({
      file: blobOf(35),
      partSizeBytes: 10,
      transport: store,
      sleep: noSleep,
      onProgress: (p) => updates.push(p),
    });
    expect(store.putCalls.sort()).toEqual([2, 4]);
    expect(store.completed).toEqual([
      { partNumber: 1, etag: '"old-1"' },
      { partNumber: 2, etag: '"etag-2-10"' },
      { partNumber: 3, etag: '"old-3"' },
      { partNumber: 4, etag: '"etag-4-5"' },
    ]);
    const started = updates.find((u) => u.phase === 'uploading')!;
    expect(started).toMatchObject({ partsSkipped: 2, partsDone: 2, uploadedBytes: 20 });
  });

  it('a second run after a failure resumes where the first stopped', async () => {
    const store = new FakeStore();
    store.failures.set(3, Array.from({ length: 2 }, () => new HttpError('down', 503)));
    const first = await uploadMultipart({
      file: blobOf(40),
      partSizeBytes: 10,
      transport: store,
      concurrency: 1,
      retry: { maxAttempts: 2 },
      sleep: noSleep,
    }).catch((e) => e);
    expect(first).toBeInstanceOf(PartUploadError);
    store.putCalls = [];
    await uploadMultipart({ file: blobOf(40), partSizeBytes: 10, transport: store, concurrency: 1, sleep: noSleep });
    // Parts 1 and 2 were kept; 3 and 4 are sent now.
    expect(store.putCalls).toEqual([3, 4]);
    expect(store.completed).toHaveLength(4);
  });

  it('takes ETags from the server when the browser cannot read them', async () => {
    const store = new FakeStore();
    store.exposeEtag = false;
    await uploadMultipart({ file: blobOf(15), partSizeBytes: 10, transport: store, sleep: noSleep });
    expect(store.completed).toEqual([
      { partNumber: 1, etag: '"etag-1-10"' },
      { partNumber: 2, etag: '"etag-2-5"' },
    ]);
  });

  it('stops on abort without completing', async () => {
    const store = new FakeStore();
    const controller = new AbortController();
    store.failures.set(1, [new HttpError('down', 503)]);
    const promise = uploadMultipart({
      file: blobOf(10),
      partSizeBytes: 10,
      transport: store,
      signal: controller.signal,
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          controller.abort();
          reject(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
        }),
    });
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(store.completed).toBeNull();
  });
});

describe('presign window', () => {
  it('fetches a window of URLs ahead and refills it while parts are sent', async () => {
    const parts = 40;
    const store = new FakeStore(parts * 10, 10);
    await uploadMultipart({ file: blobOf(parts * 10), partSizeBytes: 10, transport: store, sleep: noSleep });
    expect(store.completed).toHaveLength(parts);
    expect(store.putCalls.sort((a, b) => a - b)).toEqual(Array.from({ length: parts }, (_, i) => i + 1));
    // One call per window of parts, not one per part; each call asks for at most a window.
    expect(store.presignCalls.length).toBeLessThanOrEqual(Math.ceil(parts / PRESIGN_WINDOW) + 1);
    expect(store.presignCalls.length).toBeGreaterThanOrEqual(Math.ceil(parts / PRESIGN_WINDOW));
    expect(store.presignCalls.every((c) => c.length >= 1 && c.length <= PRESIGN_WINDOW)).toBe(true);
    // Every part's URL was fetched once: no URL thrown away, none fetched twice.
    expect(store.presignCalls.flat().sort((a, b) => a - b)).toEqual(store.putCalls);
    // Refilled ahead of need: after the first, calls go out while parts are still being sent.
    const refills = store.events.filter((e) => e.kind === 'presign').slice(1);
    expect(refills.length).toBeGreaterThan(0);
    expect(refills.every((e) => e.inFlight > 0)).toBe(true);
  });

  it('never holds more than a window of URLs ahead of use', async () => {
    const store = new FakeStore(100 * 10, 10);
    await uploadMultipart({ file: blobOf(1000), partSizeBytes: 10, transport: store, sleep: noSleep });
    // URLs fetched and not yet used, counting the ones each call adds: at most the window plus
    // the URLs senders have taken but not yet PUT (at most one per sender).
    for (const e of store.events.filter((x) => x.kind === 'presign')) {
      expect(e.unusedBefore + e.parts.length).toBeLessThanOrEqual(PRESIGN_WINDOW + DEFAULT_CONCURRENCY);
    }
    // Parts are presigned in the order they are sent: never a URL for a far-away part.
    for (const [i, call] of store.presignCalls.entries()) {
      const putsBefore = store.events
        .slice(0, store.events.findIndex((e) => e.kind === 'presign' && e.parts === call))
        .filter((e) => e.kind === 'put').length;
      expect(Math.max(...call)).toBeLessThanOrEqual(putsBefore + PRESIGN_WINDOW + DEFAULT_CONCURRENCY);
      expect(i === 0 || call.length > 0).toBe(true);
    }
  });

  it('does not use a URL close to its expiry on a slow link: it presigns again', async () => {
    // 200 s per part on one sender: a window of 8 would last 1,600 s, but URLs live 900 s.
    const store = new FakeStore(12 * 10, 10);
    store.putTakesMs = 200_000;
    await uploadMultipart({
      file: blobOf(120),
      partSizeBytes: 10,
      transport: store,
      concurrency: 1,
      now: store.now,
      sleep: noSleep,
    });
    expect(store.completed).toHaveLength(12);
    // No PUT ever met an expired URL, and more than one batch was needed.
    expect(store.forbidden).toBe(0);
    expect(store.presignCalls.length).toBeGreaterThan(Math.ceil(12 / PRESIGN_WINDOW));
  });

  it('presigns again after a 403 from storage, dropping every URL of the ended session', async () => {
    const store = new FakeStore(20 * 10, 10);
    store.endSessionAtPut = 3; // storage answers 403 once: the signing session ended
    const retries: { partNumber: number; error: unknown }[] = [];
    await uploadMultipart({
      file: blobOf(200),
      partSizeBytes: 10,
      transport: store,
      concurrency: 1,
      sleep: noSleep,
      onRetry: (info) => retries.push(info),
    });
    expect(store.completed).toHaveLength(20);
    // Exactly one 403: the cached URLs of the old session were not tried one by one.
    expect(store.forbidden).toBe(1);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ partNumber: 3, error: { status: 403 } });
    // The retry of part 3 fetched a new URL, in a call made after the 403.
    const after = store.presignCalls.slice(1);
    expect(after[0][0]).toBe(3);
  });

  it('sends exactly the signed length of each part, the last one shorter', async () => {
    const store = new FakeStore(25, 10);
    await uploadMultipart({ file: blobOf(25), partSizeBytes: 10, transport: store, sleep: noSleep });
    expect(store.forbidden).toBe(0);
    expect(store.completed).toEqual([
      { partNumber: 1, etag: '"etag-1-10"' },
      { partNumber: 2, etag: '"etag-2-10"' },
      { partNumber: 3, etag: '"etag-3-5"' },
    ]);
  });

  it('stops without sending when a URL is signed for another length', async () => {
    const store = new FakeStore(25, 10);
    store.signedSize.set(2, 11);
    const error = await uploadMultipart({
      file: blobOf(25),
      partSizeBytes: 10,
      transport: store,
      concurrency: 1,
      sleep: noSleep,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(PartUploadError);
    expect(error.lastError).toBeInstanceOf(PartSizeMismatchError);
    expect(error.message).toMatch(/Part 2 is 10 bytes here but its upload URL is signed for 11/);
    expect(store.putCalls).not.toContain(2);
    expect(store.completed).toBeNull();
  });

  it('still uploads when the browser clock is far ahead of the server (expiresAt looks past)', async () => {
    const store = new FakeStore(30, 10);
    store.lifetimeMs = -3_600_000; // expiresAt an hour before the browser's "now"
    // The fake storage judges expiry on its own clock, so the URLs are in fact valid.
    const realLifetime = 900_000;
    const put = store.putPart.bind(store);
    store.putPart = async (url, body, onProgress) => {
      store.lifetimeMs = realLifetime;
      try {
        return await put(url, body, onProgress);
      } finally {
        store.lifetimeMs = -3_600_000;
      }
    };
    await uploadMultipart({ file: blobOf(30), partSizeBytes: 10, transport: store, concurrency: 1, sleep: noSleep });
    expect(store.completed).toHaveLength(3);
    expect(store.presignCalls).toEqual([[1, 2, 3]]);
  });
});
