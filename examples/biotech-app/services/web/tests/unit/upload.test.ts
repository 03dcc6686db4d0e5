import { describe, expect, it, vi } from 'vitest';
import {
  HttpError,
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

/** In-memory stand-in for the API + S3, with failure injection. */
class FakeStore implements UploadTransport<{ parts: CompletedPart[] }> {
  stored = new Map<number, { etag: string; size: number }>();
  presignCalls: number[][] = [];
  putCalls: number[] = [];
  /** Remaining failures to inject per part number. */
  failures = new Map<number, HttpError[]>();
  exposeEtag = true;
  completed: CompletedPart[] | null = null;
  inFlight = 0;
  maxInFlight = 0;

  async listUploadedParts(): Promise<UploadedPart[]> {
    return [...this.stored.entries()].map(([partNumber, v]) => ({ partNumber, etag: v.etag, sizeBytes: v.size }));
  }
  async presignParts(partNumbers: number[]) {
    this.presignCalls.push(partNumbers);
    return partNumbers.map((n) => ({ partNumber: n, url: `https://s3.test/part/${n}?sig=${this.presignCalls.length}` }));
  }
  async putPart(url: string, body: Blob, onProgress: (n: number) => void) {
    const partNumber = Number(/part\/(\d+)/.exec(url)![1]);
    this.putCalls.push(partNumber);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
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
    // URLs are fetched one part at a time, just before each PUT.
    expect(store.presignCalls.every((c) => c.length === 1)).toBe(true);
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
    // Three different presign calls for part 2: one per attempt.
    expect(store.presignCalls.filter((c) => c[0] === 2)).toHaveLength(3);
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
