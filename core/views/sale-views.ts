/**
 * What the api answers for events and their seat maps, and the live seat changes pushed over socket.io.
 * Types only, shared with the web app (`import type`).
 */

export type SeatStatus = 'free' | 'held' | 'sold';

export interface ZoneSummary {
  zone: string;
  minPriceCents: number;
  maxPriceCents: number;
  total: number;
  free: number;
  held: number;
  sold: number;
}

/** GET /api/events (upcoming first) and GET /api/events/:id. */
export interface EventView {
  id: number;
  kind: 'flight' | 'concert';
  title: string;
  venue: string;
  startsAt: string;
  description: string | null;
  perUserLimit: number;
  holdTtlS: number;
  currency: string;
  /** The sale's waiting room, if any, with its times. */
  room: {
    id: number;
    state: string;
    prequeueOpensAt: string;
    opensAt: string;
    closesAt: string | null;
  } | null;
  zones: ZoneSummary[];
}

/**
 * One seat as the map draws it: `x`/`y` are grid cells (column, row) within the event's layout, gaps
 * included (aisles, missing letters), so the client needs no knowledge of cabins or arenas.
 */
export interface SeatView {
  id: number;
  label: string;
  zone: string;
  row: string;
  x: number;
  y: number;
  priceCents: number;
  status: SeatStatus;
}

/** GET /api/events/:id/seats */
export interface SeatMapView {
  eventId: number;
  width: number;
  height: number;
  zones: ZoneSummary[];
  seats: SeatView[];
  /** The server's time when the map was read: a pushed change older than this is already in it. */
  asOf: string;
}

/** Pushed to everyone watching an event (socket.io `seats:changed`) when seats are held, sold or freed. */
export interface SeatChanges {
  eventId: number;
  seats: { label: string; status: SeatStatus }[];
  at: string;
}
