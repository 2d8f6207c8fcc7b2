import type { Knex } from 'knex';

export type RoomState = 'idle' | 'prequeue' | 'open' | 'paused' | 'closed';

export interface RoomRow {
  id: number;
  slug: string;
  name: string;
  kind: 'registration' | 'sale';
  registration_window_id: number | null;
  event_id: number | null;
  admission_rate_per_min: number;
  max_active: number;
  token_ttl_s: number;
  prequeue_opens_at: Date;
  opens_at: Date;
  closes_at: Date | null;
  state: RoomState;
}

export interface RoomSummary {
  id: number;
  slug: string;
  name: string;
  kind: RoomRow['kind'];
  eventId: number | null;
  registrationWindowId: number | null;
  state: RoomState;
  prequeueOpensAt: string;
  opensAt: string;
  closesAt: string | null;
  admissionRatePerMin: number;
}

const COLUMNS = [
  'id',
  'slug',
  'name',
  'kind',
  'registration_window_id',
  'event_id',
  'admission_rate_per_min',
  'max_active',
  'token_ttl_s',
  'prequeue_opens_at',
  'opens_at',
  'closes_at',
  'state',
];

export const listRooms = (db: Knex): Promise<RoomRow[]> =>
  db<RoomRow>('waiting_rooms')
    .select(...COLUMNS)
    .orderBy('opens_at', 'asc');

export const findRoom = (db: Knex, id: number): Promise<RoomRow | undefined> =>
  db<RoomRow>('waiting_rooms')
    .where({ id })
    .first(...COLUMNS);

export function toRoomSummary(row: RoomRow): RoomSummary {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    kind: row.kind,
    eventId: row.event_id,
    registrationWindowId: row.registration_window_id,
    state: row.state,
    prequeueOpensAt: row.prequeue_opens_at.toISOString(),
    opensAt: row.opens_at.toISOString(),
    closesAt: row.closes_at ? row.closes_at.toISOString() : null,
    admissionRatePerMin: row.admission_rate_per_min,
  };
}

/** Rooms the admission controller drives: everything not closed, and closed ones for a day (late joiners' status). */
export const listLiveRooms = (db: Knex): Promise<RoomRow[]> =>
  db<RoomRow>('waiting_rooms')
    .select(...COLUMNS)
    .where((q) =>
      q.whereNot('state', 'closed').orWhere('updated_at', '>', new Date(Date.now() - 86_400_000)),
    );
