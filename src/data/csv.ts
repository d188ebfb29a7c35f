// CSV datasets: one label column (integer class ids) and numeric feature columns; errors name the line and column.
import { makeDataset, type Dataset } from '../core/dataset';

export interface CsvOptions {
  /** Label column: a header name or a 0-based index; default "label" if the header has it, else column 0. */
  labelColumn?: string | number;
  /** Whether the first line is a header; 'auto' treats it as one when any of its cells is not a number. */
  header?: boolean | 'auto';
  /** Number of classes; default max label + 1. */
  classes?: number;
  /** Used in error messages. */
  name?: string;
}

export function parseCsv(text: string, options: CsvOptions = {}): Dataset {
  const name = options.name ?? 'csv';
  const lines = text.split(/\r?\n/);
  let lineIndex = 0;
  while (lineIndex < lines.length && lines[lineIndex].trim() === '') lineIndex++;
  if (lineIndex >= lines.length) throw new RangeError(`${name}: the file is empty`);
  const firstCells = splitLine(lines[lineIndex]);
  const headerMode = options.header ?? 'auto';
  const hasHeader = headerMode === 'auto' ? firstCells.some((c) => c.trim() !== '' && !isNumeric(c)) : headerMode;
  const header = hasHeader ? firstCells.map((c) => c.trim()) : null;
  if (hasHeader) lineIndex++;
  const columns = firstCells.length;
  if (columns < 2) throw new RangeError(`${name}: needs a label column and at least one feature column, line ${lineIndex + (hasHeader ? 0 : 1)} has ${columns}`);
  const labelCol = resolveLabelColumn(options.labelColumn, header, columns, name);

  const labels: number[] = [];
  const features: number[] = [];
  for (; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex];
    if (line.trim() === '') continue;
    const lineNo = lineIndex + 1;
    const cells = splitLine(line);
    if (cells.length !== columns) throw new RangeError(`${name}: line ${lineNo} has ${cells.length} columns, expected ${columns}`);
    cells.forEach((cell, c) => {
      const v = Number(cell.trim());
      const column = header ? `"${header[c]}"` : `${c + 1}`;
      if (cell.trim() === '' || !Number.isFinite(v)) {
        throw new RangeError(`${name}: line ${lineNo}, column ${column}: ${JSON.stringify(cell.trim())} is not a finite number`);
      }
      if (c === labelCol) {
        if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name}: line ${lineNo}: label ${cell.trim()} must be an integer class id in [0, 255]`);
        labels.push(v);
      } else {
        features.push(v);
      }
    });
  }
  if (labels.length === 0) throw new RangeError(`${name}: no data rows`);
  const maxLabel = labels.reduce((a, b) => Math.max(a, b), 0);
  const classes = options.classes ?? Math.max(maxLabel + 1, 2);
  if (maxLabel >= classes) {
    const row = labels.indexOf(maxLabel);
    throw new RangeError(`${name}: label ${maxLabel} of data row ${row + 1} is out of range [0, ${classes})`);
  }
  return makeDataset(Float32Array.from(features), Uint8Array.from(labels), columns - 1, classes);
}

function resolveLabelColumn(option: string | number | undefined, header: string[] | null, columns: number, name: string): number {
  if (typeof option === 'number') {
    if (!Number.isInteger(option) || option < 0 || option >= columns) throw new RangeError(`${name}: label column ${option} is out of range [0, ${columns})`);
    return option;
  }
  if (typeof option === 'string') {
    if (!header) throw new RangeError(`${name}: label column "${option}" given by name, but the file has no header line`);
    const i = header.indexOf(option);
    if (i < 0) throw new RangeError(`${name}: no column named "${option}" (columns: ${header.join(', ')})`);
    return i;
  }
  const i = header ? header.indexOf('label') : -1;
  return i >= 0 ? i : 0;
}

function splitLine(line: string): string[] {
  return line.split(',');
}

function isNumeric(cell: string): boolean {
  return cell.trim() !== '' && Number.isFinite(Number(cell.trim()));
}
