import { once } from 'node:events';
import type { Response } from 'express';

export type CsvValue = string | number | Date | null | undefined;

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage
 * return that some strip first) gets a leading `'`, so a student named `=HYPERLINK(...)` can't reach the
 * staff member who opens the export. Numbers are ours and written as they are.
 */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  let s = v instanceof Date ? v.toISOString() : v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: readonly CsvValue[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/**
 * Streams a CSV download batch by batch, waiting for the socket to drain, so a 20,000-row export holds one
 * batch in memory, not the file. Errors after the first byte can't become a JSON error any more: the error
 * handler then ends the response, and the client sees a truncated download instead of a wrong one.
 */
export async function sendCsv(
  res: Response,
  filename: string,
  header: readonly string[],
  batches: AsyncIterable<CsvValue[][]>,
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.write(csvLine(header));
  for await (const rows of batches) {
    if (res.destroyed) return;
    // 'close' too: a client that hangs up mid-download never drains, and the loop must not wait forever.
    if (!res.write(rows.map(csvLine).join(''))) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  res.end();
}
