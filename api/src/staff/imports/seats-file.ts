import { readCsvRows, text, whole, type LineError } from './import-report.js';

export const SEAT_COLUMNS = ['label', 'zone', 'row', 'x', 'y', 'price_cents'] as const;

export interface SeatPlanRow {
  label: string;
  zone: string;
  rowLabel: string | null;
  x: number;
  y: number;
  priceCents: number;
}

/** Checks every line of a seat-map file and returns its seats, one per label. */
export function planSeats(csv: string, errors: LineError[]): SeatPlanRow[] {
  const seats: SeatPlanRow[] = [];
  const labelLine = new Map<string, number>();
  const placeLine = new Map<string, number>();
  for (const row of readCsvRows(csv, SEAT_COLUMNS, errors)) {
    const before = errors.length;
    const label = text(row, 'label', 16, errors);
    const zone = text(row, 'zone', 32, errors);
    const rowLabel = row.get('row');
    if (rowLabel.length > 16)
      errors.push({ line: row.line, column: 'row', reason: 'is longer than 16 characters' });
    const x = whole(row, 'x', 0, 65_535, errors);
    const y = whole(row, 'y', 0, 65_535, errors);
    const priceCents = whole(row, 'price_cents', 0, 100_000_000, errors);
    if (errors.length > before) continue;
    // Labels are unique per event in the schema (case-insensitively, by its collation).
    const key = label!.toLowerCase();
    const seen = labelLine.get(key);
    if (seen !== undefined) {
      errors.push({ line: row.line, column: 'label', reason: `repeats the seat of line ${seen}` });
      continue;
    }
    labelLine.set(key, row.line);
    // Two seats drawn on one spot would hide each other on the seat map.
    const place = `${x},${y}`;
    const other = placeLine.get(place);
    if (other !== undefined) {
      errors.push({ line: row.line, column: 'x', reason: `puts a seat on the spot of line ${other}` });
      continue;
    }
    placeLine.set(place, row.line);
    seats.push({
      label: label!,
      zone: zone!,
      rowLabel: rowLabel || null,
      x: x!,
      y: y!,
      priceCents: priceCents!,
    });
  }
  return seats;
}
