import { UnprocessableError } from '../../../../core/errors.js';
import { parseCsv, type CsvRecord } from './csv-parse.js';

/** One bad line of an import: the file's line number (header = 1), the column name (null: the whole line). */
export interface LineError {
  line: number;
  column: string | null;
  reason: string;
}

/** A data line with its values by column name, after the header has been checked. */
export interface CsvRow {
  line: number;
  get(column: string): string;
}

/**
 * Splits a CSV body into rows keyed by the header's column names, which must be exactly `columns` (in any
 * order). Every problem found is added to `errors`; rows with the wrong number of fields are reported and
 * left out, so the caller validates only rows whose columns line up.
 */
export function readCsvRows(text: string, columns: readonly string[], errors: LineError[]): CsvRow[] {
  const { records, error } = parseCsv(text);
  if (error) errors.push({ line: error.line, column: null, reason: error.reason });
  const [header, ...data] = records;
  if (!header) {
    errors.push({
      line: 1,
      column: null,
      reason: `the file is empty; expected the header ${columns.join(',')}`,
    });
    return [];
  }
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (!columns.includes(name)) errors.push({ line: header.line, column: name, reason: 'unknown column' });
    else if (index.has(name)) errors.push({ line: header.line, column: name, reason: 'column given twice' });
    else index.set(name, i);
  });
  for (const c of columns) {
    if (!index.has(c)) errors.push({ line: header.line, column: c, reason: 'missing column' });
  }
  if (data.length === 0)
    errors.push({ line: header.line, column: null, reason: 'the file has no data lines' });
  if (index.size !== columns.length || names.length !== columns.length) return [];
  const rows: CsvRow[] = [];
  for (const rec of data) {
    if (rec.fields.length !== columns.length) {
      errors.push({
        line: rec.line,
        column: null,
        reason: `has ${rec.fields.length} fields; the header has ${columns.length}`,
      });
      continue;
    }
    rows.push(rowOf(rec, index));
  }
  return rows;
}

const rowOf = (rec: CsvRecord, index: Map<string, number>): CsvRow => ({
  line: rec.line,
  get: (column) => (rec.fields[index.get(column) ?? -1] ?? '').trim(),
});

/** Reports are listed in file order, however the checks found them. */
export const sortErrors = (errors: LineError[]): LineError[] =>
  errors.sort((a, b) => a.line - b.line || (a.column ?? '').localeCompare(b.column ?? ''));

/** The real run's refusal: nothing was imported; the body carries the same report a dry run gives. */
export function invalidImport(errors: LineError[]): UnprocessableError {
  return new UnprocessableError(
    'IMPORT_INVALID',
    `${errors.length} problem(s) in the file; nothing was imported`,
    { errors: sortErrors(errors) },
  );
}

/** Field checks shared by both imports; each returns the value or records why not and returns undefined. */
export function text(row: CsvRow, column: string, max: number, errors: LineError[]): string | undefined {
  const v = row.get(column);
  if (v === '') errors.push({ line: row.line, column, reason: 'is required' });
  else if (v.length > max)
    errors.push({ line: row.line, column, reason: `is longer than ${max} characters` });
  else return v;
  return undefined;
}

export function whole(
  row: CsvRow,
  column: string,
  min: number,
  max: number,
  errors: LineError[],
): number | undefined {
  const v = row.get(column);
  if (/^[0-9]{1,9}$/.test(v)) {
    const n = Number(v);
    if (n >= min && n <= max) return n;
  }
  errors.push({ line: row.line, column, reason: `must be a whole number from ${min} to ${max}` });
  return undefined;
}
