import type { Knex } from 'knex';
import type {
  EventView,
  SeatMapView,
  SeatStatus,
  SeatView,
  ZoneSummary,
} from '../../../core/views/sale-views.js';

interface EventRow {
  id: number;
  kind: EventView['kind'];
  title: string;
  venue: string;
  starts_at: Date;
  description: string | null;
  per_user_limit: number;
  hold_ttl_s: number;
}

interface RoomRow {
  id: number;
  event_id: number;
  state: string;
  prequeue_opens_at: Date;
  opens_at: Date;
  closes_at: Date | null;
}

interface ZoneCountRow {
  event_id: number;
  zone: string;
  status: SeatStatus;
  n: number | string;
  min_price: number;
  max_price: number;
  first_seat: number;
}

interface SeatRow {
  id: number;
  label: string;
  zone: string;
  row_label: string | null;
  pos_x: number | null;
  pos_y: number | null;
  price_cents: number;
  status: SeatStatus;
}

const EVENT_COLUMNS = [
  'id',
  'kind',
  'title',
  'venue',
  'starts_at',
  'description',
  'per_user_limit',
  'hold_ttl_s',
] as const;

/** The list is not paged: a deployment sells a handful of events at a time; this bounds a runaway table. */
const MAX_EVENTS = 200;

/** Events for the catalogue, upcoming first (soonest first), then past ones (latest first). */
export async function listEventViews(db: Knex, currency: string, now = new Date()): Promise<EventView[]> {
  const rows = await db<EventRow>('events')
    .select(...EVENT_COLUMNS)
    .orderByRaw('(starts_at < ?) ASC, CASE WHEN starts_at >= ? THEN starts_at END ASC, starts_at DESC', [
      now,
      now,
    ])
    .limit(MAX_EVENTS);
  return viewsOf(db, rows, currency);
}

export async function findEventView(db: Knex, id: number, currency: string): Promise<EventView | undefined> {
  const row = await db<EventRow>('events')
    .where({ id })
    .first(...EVENT_COLUMNS);
  if (!row) return undefined;
  const [view] = await viewsOf(db, [row], currency);
  return view;
}

/** Rooms and zone counts of all the events in two queries, whatever their number (no query per event). */
async function viewsOf(db: Knex, rows: EventRow[], currency: string): Promise<EventView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [rooms, counts] = await Promise.all([
    db<RoomRow>('waiting_rooms')
      .whereIn('event_id', ids)
      .orderBy('opens_at')
      .select('id', 'event_id', 'state', 'prequeue_opens_at', 'opens_at', 'closes_at'),
    // Served by the (event_id, zone, status) index for the grouping; prices come from the rows.
    db('seats')
      .whereIn('event_id', ids)
      .andWhere('active', true)
      .groupBy('event_id', 'zone', 'status')
      .select<ZoneCountRow[]>(
        'event_id',
        'zone',
        'status',
        db.raw('COUNT(*) AS n'),
        db.raw('MIN(price_cents) AS min_price'),
        db.raw('MAX(price_cents) AS max_price'),
        db.raw('MIN(id) AS first_seat'),
      ),
  ]);
  return rows.map((e) => ({
    id: e.id,
    kind: e.kind,
    title: e.title,
    venue: e.venue,
    startsAt: e.starts_at.toISOString(),
    description: e.description,
    perUserLimit: e.per_user_limit,
    holdTtlS: e.hold_ttl_s,
    currency,
    room: roomOf(rooms.filter((r) => r.event_id === e.id)),
    zones: zoneSummaries(counts.filter((c) => c.event_id === e.id)),
  }));
}

/** A sale normally has one room; of several, the next one still to happen, else the latest. */
function roomOf(rooms: RoomRow[]): EventView['room'] {
  const r = rooms.find((x) => x.state !== 'closed') ?? rooms.at(-1);
  if (!r) return null;
  return {
    id: r.id,
    state: r.state,
    prequeueOpensAt: r.prequeue_opens_at.toISOString(),
    opensAt: r.opens_at.toISOString(),
    closesAt: r.closes_at ? r.closes_at.toISOString() : null,
  };
}

/** Zones in the order of their first seat (front of the cabin or arena first). */
function zoneSummaries(counts: ZoneCountRow[]): ZoneSummary[] {
  const zones = new Map<string, ZoneSummary & { firstSeat: number }>();
  for (const c of counts) {
    const z = zones.get(c.zone) ?? {
      zone: c.zone,
      minPriceCents: c.min_price,
      maxPriceCents: c.max_price,
      total: 0,
      free: 0,
      held: 0,
      sold: 0,
      firstSeat: c.first_seat,
    };
    const n = Number(c.n);
    z.total += n;
    z[c.status] += n;
    z.minPriceCents = Math.min(z.minPriceCents, c.min_price);
    z.maxPriceCents = Math.max(z.maxPriceCents, c.max_price);
    z.firstSeat = Math.min(z.firstSeat, c.first_seat);
    zones.set(c.zone, z);
  }
  return [...zones.values()]
    .sort((a, b) => a.firstSeat - b.firstSeat)
    .map(({ firstSeat: _firstSeat, ...z }) => z);
}

/** Seats written before positions existed go below the laid-out ones, this many to a row. */
const UNPLACED_PER_ROW = 50;

/**
 * Every seat of an event with its place and status, and the zones' counts, from one query over the seats
 * (after the event's own row). `asOf` is read before that query: a change committed before it is in the
 * map, so a client drops pushed changes whose `at` is older and applies the rest (setting a status twice
 * is harmless).
 */
export async function readSeatMap(db: Knex, eventId: number): Promise<SeatMapView | undefined> {
  const event = await db('events').where({ id: eventId }).first<{ id: number } | undefined>('id');
  if (!event) return undefined;
  const asOf = new Date();
  // A deactivated seat is not for sale (staff keep it only for its history), so it is not on the map.
  const rows = await db('seats')
    .where({ event_id: eventId, active: true })
    .orderBy('id')
    .select<SeatRow[]>('id', 'label', 'zone', 'row_label', 'pos_x', 'pos_y', 'price_cents', 'status');

  let placedHeight = 0;
  for (const r of rows) if (r.pos_y !== null) placedHeight = Math.max(placedHeight, r.pos_y + 1);
  let unplaced = 0;
  let width = 0;
  let height = 0;
  const zones = new Map<string, ZoneSummary>();
  const seats: SeatView[] = rows.map((r) => {
    let x = r.pos_x;
    let y = r.pos_y;
    if (x === null || y === null) {
      // One blank row between the map and what has no place on it.
      x = unplaced % UNPLACED_PER_ROW;
      y = placedHeight + (placedHeight > 0 ? 1 : 0) + Math.floor(unplaced / UNPLACED_PER_ROW);
      unplaced++;
    }
    width = Math.max(width, x + 1);
    height = Math.max(height, y + 1);
    const z = zones.get(r.zone) ?? {
      zone: r.zone,
      minPriceCents: r.price_cents,
      maxPriceCents: r.price_cents,
      total: 0,
      free: 0,
      held: 0,
      sold: 0,
    };
    z.total++;
    z[r.status]++;
    z.minPriceCents = Math.min(z.minPriceCents, r.price_cents);
    z.maxPriceCents = Math.max(z.maxPriceCents, r.price_cents);
    zones.set(r.zone, z);
    return {
      id: r.id,
      label: r.label,
      zone: r.zone,
      row: r.row_label ?? '',
      x,
      y,
      priceCents: r.price_cents,
      status: r.status,
    };
  });
  return { eventId, width, height, zones: [...zones.values()], seats, asOf: asOf.toISOString() };
}
