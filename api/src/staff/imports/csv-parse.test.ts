import { expect } from 'chai';
import { csvLine } from '../exports/csv-write.js';
import { parseCsv } from './csv-parse.js';

describe('staff imports: the CSV parser', () => {
  it('splits plain records and numbers their lines from the header', () => {
    expect(parseCsv('a,b\n1,2\n3,4\n').records).to.deep.equal([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('handles quotes, escaped quotes, commas and line breaks inside quotes, CRLF and a BOM', () => {
    const text = '\uFEFFname,note\r\n"Smith, Jane","said ""hi"""\r\n"two\r\nlines",x\r\nlast,""\r\n';
    const { records, error } = parseCsv(text);
    expect(error).to.equal(undefined);
    expect(records).to.deep.equal([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Smith, Jane', 'said "hi"'] },
      // A record spanning two file lines is numbered by its first; the next one by where it starts.
      { line: 3, fields: ['two\r\nlines', 'x'] },
      { line: 5, fields: ['last', ''] },
    ]);
  });

  it('skips blank lines but keeps counting them, keeps empty fields and a last line without newline', () => {
    expect(parseCsv('a,b\n\n1,\n,\n\n2,3').records).to.deep.equal([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', ''] },
      { line: 4, fields: ['', ''] },
      { line: 6, fields: ['2', '3'] },
    ]);
  });

  it('reports a quoted field that never closes, at the line where its record starts', () => {
    const { error } = parseCsv('a,b\n1,2\n3,"open\nstill open\n');
    expect(error).to.deep.equal({ line: 3, reason: 'a quoted field is never closed' });
  });

  it('reads back what the exporter writes', () => {
    const cells = ['plain', 'a,b', 'say "x"', 'two\nlines', '=1+2', '', 42];
    const { records } = parseCsv(csvLine(cells));
    expect(records[0]?.fields).to.deep.equal(['plain', 'a,b', 'say "x"', 'two\nlines', "'=1+2", '', '42']);
  });
});
