/** One record of a CSV file: its fields and the file line it starts on (the header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A quoted field that never closes: the rest of the file can't be split into records. */
export interface CsvSyntaxError {
  line: number;
  reason: string;
}

/**
 * RFC 4180 CSV: fields quoted with `"` may hold commas, `""` (an escaped quote) and line breaks; records end
 * with LF or CRLF; a leading UTF-8 BOM (spreadsheets write one) is dropped. Blank lines are skipped, since an
 * editor's trailing newline is not a record. Written here rather than taken from npm: it is 60 lines, and an
 * import must report line numbers exactly as a text editor shows them, which a record counter does not.
 */
export function parseCsv(text: string): { records: CsvRecord[]; error?: CsvSyntaxError } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  // Whether the current record has any content, so that a blank line is not a record of one empty field.
  let started = false;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (started) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    started = false;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      started = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      started = true;
    } else if (c === '\n' || (c === '\r' && src[i + 1] === '\n')) {
      endRecord();
      if (c === '\r') i++;
      line++;
      recordLine = line;
    } else {
      // A stray quote inside an unquoted field is kept as text, as spreadsheets do.
      field += c;
      started = true;
    }
    i++;
  }
  if (quoted) return { records, error: { line: recordLine, reason: 'a quoted field is never closed' } };
  endRecord();
  return { records };
}
