import type { StaffSeatView } from '../../../../core/views/staff-seat-view.js';

/**
 * The seat map editor's arithmetic, free of Vue, the DOM and runtime imports (so tests load it alone), on
 * the staff API's seat shape.
 */
export type StaffSeat = StaffSeatView;

export type SeatInput = Pick<StaffSeat, 'label' | 'zone' | 'row' | 'x' | 'y' | 'priceCents' | 'active'>;

/** A seat as the buyer's map draws it (core/views/sale-views.ts SeatView). */
export type PreviewSeat = Pick<StaffSeat, 'id' | 'label' | 'zone' | 'priceCents' | 'status'> & {
  row: string;
  x: number;
  y: number;
};

export interface ZoneSummary {
  zone: string;
  total: number;
  onSale: number;
  /** Held or sold: their price and zone are frozen by the API (SEAT_HELD). */
  taken: number;
  minPriceCents: number;
  maxPriceCents: number;
}

/** Zones in the order their first seat was added. */
export function zonesOf(seats: readonly StaffSeat[]): ZoneSummary[] {
  const zones = new Map<string, ZoneSummary>();
  for (const s of seats) {
    let z = zones.get(s.zone);
    if (!z) {
      z = { zone: s.zone, total: 0, onSale: 0, taken: 0, minPriceCents: s.priceCents, maxPriceCents: 0 };
      zones.set(s.zone, z);
    }
    z.total += 1;
    if (s.active) z.onSale += 1;
    if (s.status !== 'free') z.taken += 1;
    z.minPriceCents = Math.min(z.minPriceCents, s.priceCents);
    z.maxPriceCents = Math.max(z.maxPriceCents, s.priceCents);
  }
  return [...zones.values()];
}

/** Seats as the buyer's map draws them: on sale and placed on the grid (the rest are listed apart). */
export function previewSeats(seats: readonly StaffSeat[]): PreviewSeat[] {
  return seats.flatMap((s) =>
    s.active && s.x !== null && s.y !== null
      ? [
          {
            id: s.id,
            label: s.label,
            zone: s.zone,
            row: s.row ?? '',
            x: s.x,
            y: s.y,
            priceCents: s.priceCents,
            status: s.status,
          },
        ]
      : [],
  );
}

export interface RowPlan {
  zone: string;
  row: string;
  count: number;
  firstNumber: number;
  y: number;
  firstColumn: number;
  priceCents: number;
}

/** A row of seats side by side: C1, C2 … at columns firstColumn, firstColumn + 1 … of grid row y. */
export function rowOfSeats(p: RowPlan): SeatInput[] {
  return Array.from({ length: p.count }, (_, i) => ({
    label: `${p.row}${p.firstNumber + i}`,
    zone: p.zone,
    row: p.row,
    x: p.firstColumn + i,
    y: p.y,
    priceCents: p.priceCents,
    active: true,
  }));
}

/** The grid row under the last one, for the next row added. */
export const nextGridRow = (seats: readonly StaffSeat[]): number =>
  seats.reduce((max, s) => (s.y !== null && s.y >= max ? s.y + 1 : max), 0);

/** A price typed in currency units ("12.50") as the API's cents; NaN when it is not a price. */
export const toCents = (units: number): number => Math.round(units * 100);
