import { describe, expect, it } from 'vitest';
import { sequenceForApi } from '../../src/lib/types';

describe('sequenceForApi', () => {
  it('keeps the line breaks of pasted FASTA (a header line ends at its break)', () => {
    const pasted = '>sp|P02769|ALBU_BOVIN Albumin\r\nMKWVTFISLL LFSSAYS\r\nRGVFRRDTHK\r\n';
    expect(sequenceForApi(pasted)).toBe('>sp|P02769|ALBU_BOVIN Albumin\nMKWVTFISLL LFSSAYS\nRGVFRRDTHK');
  });

  it('sends a bare sequence as typed; the API normalises it', () => {
    expect(sequenceForApi('  mkwv tfis\nLLLL \n')).toBe('mkwv tfis\nLLLL');
  });

  it('sends nothing when nothing was typed', () => {
    expect(sequenceForApi('')).toBeUndefined();
    expect(sequenceForApi(' \n\t')).toBeUndefined();
  });
});
