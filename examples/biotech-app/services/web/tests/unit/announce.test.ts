import { describe, expect, it } from 'vitest';
import { AnnouncementThrottle } from '../../src/lib/announce';
import { uploadAnnouncement } from '../../src/lib/upload-announce';
import type { UploadEntry } from '../../src/lib/use-uploads';

describe('AnnouncementThrottle (aria-live progress at most every few seconds)', () => {
  it('announces the first message, then holds changes back until the interval passed', () => {
    const t = new AnnouncementThrottle(5000);
    expect(t.offer('Uploading: 1 %', 0)).toBe('Uploading: 1 %');
    expect(t.offer('Uploading: 2 %', 100)).toBeNull();
    expect(t.offer('Uploading: 9 %', 4000)).toBeNull();
    expect(t.dueIn(4000)).toBe(1000);
    expect(t.flush(4999)).toBeNull();
    // Only the newest waiting message goes out.
    expect(t.flush(5000)).toBe('Uploading: 9 %');
    expect(t.dueIn(5000)).toBeNull();
    expect(t.offer('Uploading: 40 %', 10_000)).toBe('Uploading: 40 %');
  });

  it('counts announcements: 100 progress updates over 10 s give at most 3', () => {
    const t = new AnnouncementThrottle(5000);
    let shown = 0;
    for (let i = 0; i < 100; i++) {
      const now = i * 100;
      if (t.offer(`Uploading: ${i} %`, now) !== null) shown++;
      if (t.flush(now) !== null) shown++;
    }
    expect(shown).toBeLessThanOrEqual(3);
  });

  it('lets an urgent (final) message through at once, and ignores a repeat', () => {
    const t = new AnnouncementThrottle(5000);
    t.offer('Uploading: 10 %', 0);
    expect(t.offer('All files uploaded.', 200, true)).toBe('All files uploaded.');
    expect(t.offer('All files uploaded.', 6000)).toBeNull();
  });
});

describe('uploadAnnouncement', () => {
  const file = (size: number) => ({ size, name: 'x.mgf' }) as File;
  const entry = (over: Partial<UploadEntry>): UploadEntry => ({
    key: 'k',
    file: file(1000),
    proteinName: '',
    sequence: '',
    status: 'ready',
    progress: null,
    message: '',
    ...over,
  });

  it('sums the progress of every file while uploading', () => {
    const progress = (uploadedBytes: number) =>
      ({ uploadedBytes, totalBytes: 1000, partsDone: 0, partCount: 1 }) as UploadEntry['progress'];
    const a = uploadAnnouncement([
      entry({ status: 'uploading', progress: progress(500) }),
      entry({ status: 'done', progress: progress(1000) }),
    ]);
    expect(a).toEqual({ message: 'Uploading 1 file: 75 percent done.', final: false });
  });

  it('gives the outcome as final', () => {
    expect(uploadAnnouncement([entry({ status: 'done' }), entry({ status: 'failed' })])).toEqual({
      message: '1 file uploaded, 1 failed.',
      final: true,
    });
    expect(uploadAnnouncement([entry({})])).toEqual({ message: '', final: true });
  });
});
