/**
 * The edge's per-IP rate limit against a large upload plus a lab's status
 * polling, all behind one NAT address (one IP for the WAF).
 *
 * Every figure comes from the code that sets it:
 * - the limit and its window: the WAF rule of the library (src/edge);
 * - the part size: the API's default (services/api config.py) and its
 *   part-plan rule (whole MiB, at most 10,000 parts);
 * - the API calls of one upload: counted by running the real upload engine
 *   (src/lib/upload.ts) on a 50 GiB file with a counting transport;
 * - the status polling: the analysis page's poll policy (src/lib/poll.ts).
 * What is assumed (ASSUMED below) is written into docs/guide/uploads.md with
 * the figures this test prints. Presigned part PUTs go to S3, not through
 * CloudFront, so they do not count against the limit.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL, pollDelay, type PollPolicy } from '../../src/lib/poll';
import {
  DEFAULT_CONCURRENCY,
  MIN_FILE_START_INTERVAL_MS,
  PRESIGN_WINDOW,
  startPacer,
  uploadMultipart,
  type UploadTransport,
} from '../../src/lib/upload';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..', '..', '..');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** What is assumed, not read from code: the lab and its link. */
const ASSUMED = {
  /** The lab's upload bandwidth through its one NAT address, used entirely by uploads. */
  uplinkBitsPerSecond: 1_000_000_000,
  /** Users behind that address, each with an analysis page open (polling its status). */
  users: 30,
  /** Page views per user per 5 minutes, and the requests through CloudFront each one makes. */
  pageViewsPerUser: 2,
  requestsPerPageView: 10,
  /** The upload in the scenario. */
  uploadBytes: 50 * GiB,
};

function read(relative: string): string {
  return readFileSync(path.join(repoRoot, relative), 'utf8');
}

function match(source: string, pattern: RegExp, what: string): string {
  const found = pattern.exec(source);
  if (!found) throw new Error(`could not find ${what} (${pattern}); update this test with the code`);
  return found[1];
}

/** The WAF's rate limit (the smaller of CloudFront's and the regional ACL's default) and window. */
export function wafLimit(): { limit: number; windowSeconds: number } {
  const edge = Number(match(read('src/edge/cloudfront-resources.ts'), /rateLimit:\s*rateLimit\s*\?\?\s*([\d_]+)/, 'the edge rate limit').replace(/_/g, ''));
  const regional = Number(
    match(read('src/cluster/app-cluster.ts'), /rateLimit:\s*props\.regionalWafRateLimit\s*\?\?\s*([\d_]+)/, 'the regional rate limit').replace(/_/g, ''),
  );
  const windowSeconds = Number(match(read('src/core/web-acl.ts'), /evaluationWindowSec:\s*(\d+)/, 'the rate window'));
  return { limit: Math.min(edge, regional), windowSeconds };
}

/** The API's part size for a file of `size` bytes (config.py default, plan_parts' rule). */
export function apiPartSize(size: number): number {
  const config = read('examples/biotech-app/services/api/biotech_api/config.py');
  const preferred = Number(match(config, /default_part_size_bytes: int = (\d+) \* MIB/, 'the API default part size')) * MiB;
  const needed = Math.ceil(size / 10_000);
  return Math.min(5 * GiB, Math.ceil(Math.max(preferred, 5 * MiB, needed) / MiB) * MiB);
}

/** A stand-in for a huge file: only its size and slices' sizes matter to the engine. */
function sparseFile(size: number): Blob {
  const slice = (start = 0, end = size) => ({ size: Math.max(0, Math.min(end, size) - start) }) as Blob;
  return { size, slice } as unknown as Blob;
}

/** API requests one upload makes, counted on the real engine. */
export async function apiCallsOfOneUpload(size: number, partSize: number, window = PRESIGN_WINDOW) {
  const calls = { list: 0, presign: 0, complete: 0 };
  const transport: UploadTransport<void> = {
    async listUploadedParts() {
      calls.list++;
      return [];
    },
    async presignParts(numbers) {
      calls.presign++;
      return numbers.map((n) => ({ partNumber: n, url: `https://s3.test/${n}` }));
    },
    // Storage: not through CloudFront. The bucket's CORS exposes ETag.
    async putPart(url) {
      return `"${url}"`;
    },
    async complete() {
      calls.complete++;
    },
  };
  await uploadMultipart({
    file: sparseFile(size),
    partSizeBytes: partSize,
    transport,
    presignWindow: window,
    concurrency: DEFAULT_CONCURRENCY,
  });
  const parts = Math.ceil(size / partSize);
  // + 1: the file's registration (POST .../files) by use-uploads.ts before the engine starts.
  const total = 1 + calls.list + calls.presign + calls.complete;
  return { parts, calls, total, perPart: calls.presign / parts, perFile: total - calls.presign };
}

/** Status polls of one analysis page in `seconds` (the fastest stretch: a fresh page). */
export function pollsIn(seconds: number, policy: PollPolicy = DEFAULT_POLL): number {
  let t = 0;
  let polls = 1; // at once
  for (let n = 0; ; n++) {
    t += pollDelay(n, policy) / 1000;
    if (t > seconds) return polls;
    polls++;
  }
}

export function budget(options: { partSize: number; perPart: number; perFile: number }) {
  const { windowSeconds } = wafLimit();
  const bytesPerWindow = (ASSUMED.uplinkBitsPerSecond / 8) * windowSeconds;
  const partsPerWindow = Math.min(bytesPerWindow, ASSUMED.uploadBytes) / options.partSize;
  const upload = Math.ceil(partsPerWindow * options.perPart) + options.perFile;
  const polling = ASSUMED.users * pollsIn(windowSeconds);
  const pages = ASSUMED.users * ASSUMED.pageViewsPerUser * ASSUMED.requestsPerPageView;
  return { partsPerWindow: Math.round(partsPerWindow), upload, polling, pages, total: upload + polling + pages };
}

describe('the WAF rate limit and a 50 GiB upload behind one NAT address', () => {
  it('reads the limit and the constants from the code', () => {
    const { limit, windowSeconds } = wafLimit();
    expect(limit).toBeGreaterThanOrEqual(10);
    expect(windowSeconds).toBe(300);
    expect(apiPartSize(ASSUMED.uploadBytes)).toBeGreaterThanOrEqual(5 * MiB);
    expect(pollsIn(300)).toBeGreaterThan(1);
  });

  it('stays under the limit with the uploader and API as they are', async () => {
    const { limit, windowSeconds } = wafLimit();
    const partSize = apiPartSize(ASSUMED.uploadBytes);
    const measured = await apiCallsOfOneUpload(ASSUMED.uploadBytes, partSize);
    const b = budget({ partSize, perPart: measured.perPart, perFile: measured.perFile });
    console.log(
      [
        `WAF limit ${limit} requests / ${windowSeconds} s per IP`,
        `50 GiB in ${measured.parts} parts of ${partSize / MiB} MiB; window ${PRESIGN_WINDOW}, ${DEFAULT_CONCURRENCY} parts at a time`,
        `API requests of the whole upload: ${measured.total} (presign ${measured.calls.presign}, list ${measured.calls.list}, complete ${measured.calls.complete}, register 1)`,
        `in ${windowSeconds} s at ${ASSUMED.uplinkBitsPerSecond / 1e9} Gbit/s: ${b.partsPerWindow} parts -> ${b.upload} upload requests`,
        `${ASSUMED.users} users polling: ${b.polling} (${pollsIn(windowSeconds)} each); page views: ${b.pages}`,
        `total ${b.total} of ${limit} (${Math.round((100 * b.total) / limit)} %)`,
        `users that fit beside this upload: ${Math.floor((limit - 1 - b.upload) / (pollsIn(windowSeconds) + ASSUMED.pageViewsPerUser * ASSUMED.requestsPerPageView))}`,
      ].join('\n'),
    );
    expect(measured.perPart).toBeCloseTo(1 / PRESIGN_WINDOW, 2);
    expect(b.total).toBeLessThan(limit);
  });

  it('would not with one URL per part (the old uploader): the window is what keeps it under', async () => {
    const { limit } = wafLimit();
    const partSize = apiPartSize(ASSUMED.uploadBytes);
    const old = await apiCallsOfOneUpload(ASSUMED.uploadBytes, partSize, 1);
    const b = budget({ partSize, perPart: old.perPart, perFile: old.perFile });
    expect(b.total).toBeGreaterThan(limit);
  });

  it('would not with the smallest S3 part size (5 MiB): shrinking the part size breaks the budget', async () => {
    const { limit } = wafLimit();
    const partSize = 5 * MiB;
    const measured = await apiCallsOfOneUpload(ASSUMED.uploadBytes, partSize);
    const b = budget({ partSize, perPart: measured.perPart, perFile: measured.perFile });
    expect(b.total).toBeGreaterThan(limit);
  });

  it('stays under the limit with many small files on the same link (files are paced)', async () => {
    const { limit, windowSeconds } = wafLimit();
    // A one-part file: every request of a file and nothing else.
    const small = await apiCallsOfOneUpload(MiB, apiPartSize(MiB));
    const filesPerWindow = Math.floor((windowSeconds * 1000) / MIN_FILE_START_INTERVAL_MS) + 1;
    const upload = filesPerWindow * small.total;
    const b = budget({ partSize: apiPartSize(ASSUMED.uploadBytes), perPart: 0, perFile: 0 });
    const total = upload + b.polling + b.pages;
    console.log(`small files: ${small.total} requests each, at most ${filesPerWindow} files -> ${upload}; total ${total} of ${limit}`);
    expect(total).toBeLessThan(limit);
  });
});

describe('startPacer', () => {
  it('spaces starts by the interval, the first at once', async () => {
    let clock = 0;
    const waits: number[] = [];
    const pacer = startPacer(2_000, () => clock, async (ms) => {
      waits.push(ms);
      clock += ms;
    });
    await pacer.wait();
    clock += 500; // the first file took 0.5 s
    await pacer.wait();
    clock += 5_000; // the second took 5 s: no wait
    await pacer.wait();
    expect(waits).toEqual([1_500]);
  });
});
