import { describe, expect, it } from 'vitest';
import { columnLabel, formatCell, nextSort, pageLabel } from '../../src/lib/result-tables';

describe('table helpers', () => {
  it('cycles a header through ascending, descending and unsorted', () => {
    const asc = nextSort(null, 'qValue');
    expect(asc).toEqual({ column: 'qValue', order: 'asc' });
    const desc = nextSort(asc, 'qValue');
    expect(desc).toEqual({ column: 'qValue', order: 'desc' });
    expect(nextSort(desc, 'qValue')).toBeNull();
    expect(nextSort(desc, 'psms')).toEqual({ column: 'psms', order: 'asc' });
  });

  it('labels the rows of a page as "rows a–b of total"', () => {
    expect(pageLabel({ offset: 0, rows: new Array(25).fill({}), total: 140 })).toBe('rows 1–25 of 140');
    expect(pageLabel({ offset: 125, rows: new Array(15).fill({}), total: 140 })).toBe('rows 126–140 of 140');
    expect(pageLabel({ offset: 0, rows: [], total: 0 })).toBe('rows 0–0 of 0');
  });

  it('names worker columns and shows cells as the API typed them', () => {
    expect(columnLabel('qValue')).toBe('q-value');
    expect(columnLabel('modifiedPeptide')).toBe('Modified peptide');
    expect(columnLabel('calculatedMass')).toBe('Calculated mass');
    expect(formatCell(true)).toBe('yes');
    expect(formatCell(false)).toBe('no');
    expect(formatCell(null)).toBe('–');
    expect(formatCell(0)).toBe('0');
    expect(formatCell('P02769;P02768')).toBe('P02769;P02768');
  });
});
