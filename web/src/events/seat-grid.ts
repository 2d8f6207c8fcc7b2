/**
 * The seat map's geometry and keyboard moves, kept free of Vue and the DOM so they can be tested alone.
 * Seats come with grid cells (x = column, y = row, gaps included: aisles, missing letters); the map draws
 * the rows that have seats, and the arrow keys move between seats the way the eye does: along the row
 * (skipping aisles), and up or down to the nearest seat in the next row.
 */
export interface GridSeat {
  label: string;
  row: string;
  x: number;
  y: number;
}

export interface GridRow<S extends GridSeat> {
  y: number;
  /** The row's name as the venue spells it ('12', 'F-A'). */
  row: string;
  /** Left to right. */
  seats: S[];
  /** Empty grid rows between this row and the one above (a gap between zones, say). */
  gapBefore: number;
}

export interface SeatGrid<S extends GridSeat> {
  rows: GridRow<S>[];
  /** The leftmost column used: the drawing starts there. */
  minX: number;
  /** How many columns the drawing needs, gaps included. */
  columns: number;
  /** Where each seat is: its row's index in `rows` and its index in that row. */
  at: Map<string, { r: number; i: number }>;
}

export function layoutSeats<S extends GridSeat>(seats: readonly S[]): SeatGrid<S> {
  const byY = new Map<number, S[]>();
  let minX = Infinity;
  let maxX = -Infinity;
  for (const s of seats) {
    const list = byY.get(s.y);
    if (list) list.push(s);
    else byY.set(s.y, [s]);
    if (s.x < minX) minX = s.x;
    if (s.x > maxX) maxX = s.x;
  }
  const ys = [...byY.keys()].sort((a, b) => a - b);
  const at = new Map<string, { r: number; i: number }>();
  const rows = ys.map((y, r) => {
    const rowSeats = (byY.get(y) as S[]).sort((a, b) => a.x - b.x);
    rowSeats.forEach((s, i) => at.set(s.label, { r, i }));
    const prev = r > 0 ? (ys[r - 1] as number) : y;
    return { y, row: rowSeats[0]?.row ?? '', seats: rowSeats, gapBefore: Math.max(0, y - prev - 1) };
  });
  return { rows, minX: seats.length ? minX : 0, columns: seats.length ? maxX - minX + 1 : 0, at };
}

export type Move =
  'left' | 'right' | 'up' | 'down' | 'rowStart' | 'rowEnd' | 'first' | 'last' | 'pageUp' | 'pageDown';

/** Rows moved by Page Up / Page Down. */
export const PAGE_ROWS = 5;

/** The key's move on the map, or null for keys the map leaves alone (Tab, Space, Enter…). */
export function moveOfKey(e: { key: string; ctrlKey: boolean; metaKey: boolean }): Move | null {
  const ctrl = e.ctrlKey || e.metaKey;
  switch (e.key) {
    case 'ArrowLeft':
      return 'left';
    case 'ArrowRight':
      return 'right';
    case 'ArrowUp':
      return 'up';
    case 'ArrowDown':
      return 'down';
    case 'Home':
      return ctrl ? 'first' : 'rowStart';
    case 'End':
      return ctrl ? 'last' : 'rowEnd';
    case 'PageUp':
      return 'pageUp';
    case 'PageDown':
      return 'pageDown';
    default:
      return null;
  }
}

/** The seat a move lands on from `label`; the same seat at an edge; undefined for an unknown seat. */
export function moveFrom<S extends GridSeat>(grid: SeatGrid<S>, label: string, move: Move): S | undefined {
  const pos = grid.at.get(label);
  if (!pos) return undefined;
  const row = grid.rows[pos.r] as GridRow<S>;
  const here = row.seats[pos.i] as S;
  const last = grid.rows.length - 1;
  const toRow = (r: number) =>
    nearest((grid.rows[Math.min(last, Math.max(0, r))] as GridRow<S>).seats, here.x);
  switch (move) {
    case 'left':
      return row.seats[Math.max(0, pos.i - 1)];
    case 'right':
      return row.seats[Math.min(row.seats.length - 1, pos.i + 1)];
    case 'rowStart':
      return row.seats[0];
    case 'rowEnd':
      return row.seats.at(-1);
    case 'up':
      return toRow(pos.r - 1);
    case 'down':
      return toRow(pos.r + 1);
    case 'pageUp':
      return toRow(pos.r - PAGE_ROWS);
    case 'pageDown':
      return toRow(pos.r + PAGE_ROWS);
    case 'first':
      return grid.rows[0]?.seats[0];
    case 'last':
      return grid.rows.at(-1)?.seats.at(-1);
  }
}

/** The seat of a row closest to column x (the left one of two equally close). */
function nearest<S extends GridSeat>(seats: S[], x: number): S | undefined {
  let best: S | undefined;
  for (const s of seats) {
    if (!best || Math.abs(s.x - x) < Math.abs(best.x - x)) best = s;
  }
  return best;
}

/** The seat's own part of its label: 'C' of '12C', '7' of 'F-A-7'; the whole label when it has no row prefix. */
export function seatPartOf(label: string, row: string): string {
  if (!row || !label.startsWith(row) || label.length === row.length) return label;
  return label.slice(row.length).replace(/^[-\s.]+/, '') || label;
}
