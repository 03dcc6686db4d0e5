import { describe, expect, it } from 'vitest';
import { failureSummary } from '../../src/lib/use-uploads';

describe('failureSummary', () => {
  it('names the quota when a file was refused for it, before any other failure', () => {
    expect(failureSummary([{ status: 'failed' }, { status: 'failed', refusal: 'quota' }])).toMatch(/storage quota is full/);
  });
  it('asks for a retry when files failed for other reasons, and says nothing otherwise', () => {
    expect(failureSummary([{ status: 'done' }, { status: 'cancelled' }])).toBe('Some files did not upload; retry them below.');
    expect(failureSummary([{ status: 'done' }])).toBe('');
  });
});
