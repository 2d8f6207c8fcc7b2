import type { Knex } from 'knex';
import type { AdmissionMode } from '../admission/adaptive-pace.js';
import type { RoomKind } from '../../../core/rooms/room-kind.js';
import type { RoomPhase, RoomState } from '../../../core/rooms/room-phase.js';

export interface RoomRow {
  id: number;
  slug: string;
  name: string;
  kind: RoomKind;
  registration_window_id: number | null;
  event_id: number | null;
  admission_rate_per_min: number;
  /** 'adaptive': the rate is the ceiling of a pace that follows the pipeline; 'fixed': the rate, always (ADR 012). */
  admission_mode: AdmissionMode;
  max_active: number;
  token_ttl_s: number;
  prequeue_opens_at: Date;
  opens_at: Date;
  closes_at: Date | null;
  state: RoomState;
}

/** A room as staff define it (POST and PATCH /operator/rooms). */
export interface RoomDefinition {
  slug: string;
  name: string;
  kind: RoomKind;
  eventId: number | null;
  registrationWindowId: number | null;
  admissionRatePerMin: number;
  admissionMode: AdmissionMode;
  maxActive: number;
  tokenTtlS: number;
  prequeueOpensAt: Date;
  opensAt: Date;
  closesAt: Date | null;
}

export interface RoomSummary {
  id: number;
  slug: string;
  name: string;
  kind: RoomKind;
  eventId: number | null;
  registrationWindowId: number | null;
  state: RoomState;
  prequeueOpensAt: string;
  opensAt: string;
  closesAt: string | null;
  admissionRatePerMin: number;
  admissionMode: AdmissionMode;
}

const COLUMNS = [
  'id',
  'slug',
  'name',
  'kind',
  'registration_window_id',
  'event_id',
  'admission_rate_per_min',
  'admission_mode',
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
    admissionMode: row.admission_mode,
  };
}

/** Rooms the admission controller drives: everything not closed, and closed ones for a day (late joiners' status). */
export const listLiveRooms = (db: Knex): Promise<RoomRow[]> =>
  db<RoomRow>('waiting_rooms')
    .select(...COLUMNS)
    .where((q) =>
      q.whereNot('state', 'closed').orWhere('updated_at', '>', new Date(Date.now() - 86_400_000)),
    );

/** How MySQL records a phase: a paused room shows `paused` in place of its phase, except once closed. */
export const roomStateOf = (phase: RoomPhase, paused: boolean): RoomState =>
  paused && phase !== 'closed' ? 'paused' : phase;

/**
 * Records the phase Redis moved the room to, and the opening's shuffle seed the first time one is known
 * (the seed never changes once set: it is the draw's record).
 */
export async function savePhase(
  db: Knex,
  roomId: number,
  phase: RoomPhase,
  paused: boolean,
  seed: number | null,
): Promise<void> {
  await db('waiting_rooms')
    .where({ id: roomId })
    .update({
      state: roomStateOf(phase, paused),
      shuffle_seed: db.raw('COALESCE(shuffle_seed, ?)', [seed === null ? null : String(seed)]),
    });
}

const toColumns = (d: Partial<RoomDefinition>) => {
  const c: Record<string, unknown> = {};
  if (d.slug !== undefined) c.slug = d.slug;
  if (d.name !== undefined) c.name = d.name;
  if (d.kind !== undefined) c.kind = d.kind;
  if (d.eventId !== undefined) c.event_id = d.eventId;
  if (d.registrationWindowId !== undefined) c.registration_window_id = d.registrationWindowId;
  if (d.admissionRatePerMin !== undefined) c.admission_rate_per_min = d.admissionRatePerMin;
  if (d.admissionMode !== undefined) c.admission_mode = d.admissionMode;
  if (d.maxActive !== undefined) c.max_active = d.maxActive;
  if (d.tokenTtlS !== undefined) c.token_ttl_s = d.tokenTtlS;
  if (d.prequeueOpensAt !== undefined) c.prequeue_opens_at = d.prequeueOpensAt;
  if (d.opensAt !== undefined) c.opens_at = d.opensAt;
  if (d.closesAt !== undefined) c.closes_at = d.closesAt;
  return c;
};

export const roomSlugTaken = async (db: Knex, slug: string): Promise<boolean> =>
  (await db('waiting_rooms').where({ slug }).first('id')) !== undefined;

/**
 * The room that guards a registration window; undefined if none. Locks the window's row first, so two
 * staff creating a room for it at once are served one after the other.
 */
export async function roomGuardingWindow(
  trx: Knex.Transaction,
  windowId: number,
): Promise<number | undefined> {
  await trx('registration_windows').where({ id: windowId }).forUpdate().first('id');
  // A locking read: the transaction's snapshot (taken by an earlier plain read) would miss a room the
  // create it waited for has just committed.
  const row = await trx('waiting_rooms')
    .where({ registration_window_id: windowId })
    .forShare()
    .first<{ id: number } | undefined>('id');
  return row?.id;
}

/** A new room starts idle; the admission controller moves it on at its times. Returns its id. */
export async function insertRoom(db: Knex, d: RoomDefinition): Promise<number> {
  const [id] = await db('waiting_rooms').insert({ ...toColumns(d), state: 'idle' });
  return Number(id);
}

export async function updateRoom(db: Knex, id: number, patch: Partial<RoomDefinition>): Promise<void> {
  await db('waiting_rooms').where({ id }).update(toColumns(patch));
}
