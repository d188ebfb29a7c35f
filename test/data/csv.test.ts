// CSV parsing: header detection, label column choice, and an error naming the line for each bad input.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv';

describe('CSV reader', () => {
  it('reads a header, finds the "label" column anywhere, keeps features in order', () => {
    const ds = parseCsv('a,label,b\n0.5,1,2\n-1,0,3e-1\n\n', { name: 'toy.csv' });
    expect(ds.count).toBe(2);
    expect(ds.dim).toBe(2);
    expect(ds.classes).toBe(2);
    expect(Array.from(ds.labels)).toEqual([1, 0]);
    expect(Array.from(ds.features)).toEqual([0.5, 2, -1, Math.fround(0.3)]);
  });

  it('reads headerless files with the label in column 0, and an explicit label index', () => {
    expect(Array.from(parseCsv('2,1.5,3\n0,4,5\n').labels)).toEqual([2, 0]);
    const ds = parseCsv('1.5,3,1\n4,5,0\n', { labelColumn: 2 });
    expect(Array.from(ds.labels)).toEqual([1, 0]);
    expect(Array.from(ds.features)).toEqual([1.5, 3, 4, 5]);
  });

  it('names the line and column of a non-numeric or NaN feature', () => {
    expect(() => parseCsv('label,x,y\n1,2,3\n0,abc,1\n', { name: 'd.csv' })).toThrow(/d.csv: line 3, column "x": "abc" is not a finite number/);
    expect(() => parseCsv('label,x\n1,NaN\n', { name: 'd.csv' })).toThrow(/line 2, column "x": "NaN" is not a finite number/);
    expect(() => parseCsv('1,2\n0,\n')).toThrow(/line 2, column 2: "" is not a finite number/);
  });

  it('rejects rows with a different number of columns', () => {
    expect(() => parseCsv('label,x,y\n1,2,3\n0,1\n')).toThrow(/line 3 has 2 columns, expected 3/);
  });

  it('rejects labels that are not class ids, and labels out of a given range', () => {
    expect(() => parseCsv('label,x\n1.5,2\n')).toThrow(/line 2: label 1.5 must be an integer class id/);
    expect(() => parseCsv('label,x\n-1,2\n')).toThrow(/label -1 must be an integer class id/);
    expect(() => parseCsv('label,x\n3,2\n1,1\n', { classes: 3 })).toThrow(/label 3 of data row 1 is out of range \[0, 3\)/);
  });

  it('rejects empty files, files without data rows, unknown label columns and single columns', () => {
    expect(() => parseCsv('\n\n')).toThrow(/the file is empty/);
    expect(() => parseCsv('label,x\n')).toThrow(/no data rows/);
    expect(() => parseCsv('a,b\n1,2\n', { labelColumn: 'label' })).toThrow(/no column named "label" \(columns: a, b\)/);
    expect(() => parseCsv('1\n2\n')).toThrow(/needs a label column and at least one feature column/);
  });
});
