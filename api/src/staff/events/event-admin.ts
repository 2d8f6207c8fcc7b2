import { z } from 'zod';
import { ConflictError } from '../../../../core/errors.js';
import { keysetPage, likeContains, pageFields } from '../catalog/admin-page.js';
import { nonEmpty, type AdminResource } from '../catalog/admin-resource.js';
import { assertUnused } from '../catalog/in-use.js';
import { isoInstant } from '../../../../core/http/iso-instant.js';

export interface EventDto {
  id: number;
  kind: 'flight' | 'concert';
  title: string;
  venue: string;
  startsAt: string;
  description: string | null;
  perUserLimit: number;
  holdTtlS: number;
  version: number;
}

interface EventRow {
  id: number;
  kind: EventDto['kind'];
  title: string;
  venue: string;
  starts_at: Date;
  description: string | null;
  per_user_limit: number;
  hold_ttl_s: number;
  version: number;
}

const COLUMNS = [
  'id',
  'kind',
  'title',
  'venue',
  'starts_at',
  'description',
  'per_user_limit',
  'hold_ttl_s',
  'version',
];

const toDto = (r: EventRow): EventDto => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  venue: r.venue,
  startsAt: r.starts_at.toISOString(),
  description: r.description,
  perUserLimit: r.per_user_limit,
  holdTtlS: r.hold_ttl_s,
  version: r.version,
});

const instant = isoInstant;
const kind = z.enum(['flight', 'concert']);
const fields = {
  kind,
  title: z.string().trim().min(1).max(160),
  venue: z.string().trim().min(1).max(160),
  startsAt: instant,
  description: z.string().trim().max(10_000).nullable(),
  // per_user_limit is a SMALLINT UNSIGNED; a limit above a few dozen is no limit in practice.
  perUserLimit: z.number().int().min(1).max(100),
  // A hold shorter than 30 s can't be paid for; one over a day keeps seats from everyone else.
  holdTtlS: z.number().int().min(30).max(86_400),
};

const query = z
  .object({
    ...pageFields,
    kind: kind.optional(),
    q: z.string().trim().min(1).max(160).optional(),
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict();
const create = z
  .object({
    ...fields,
    description: fields.description.default(null),
    perUserLimit: fields.perUserLimit.default(4),
    holdTtlS: fields.holdTtlS.default(600),
  })
  .strict();
const patch = z.object(fields).partial().strict().refine(nonEmpty, 'change at least one field');

/** Events (flights, concerts) with their sale settings; their seat maps are under /events/:id/seats. */
export const eventAdmin: AdminResource<EventDto, typeof query, typeof create, typeof patch> = {
  entity: 'event',
  table: 'events',
  query,
  create,
  patch,
  list: (db, q) => {
    const qb = db('events').select(COLUMNS);
    if (q.kind) void qb.where('kind', q.kind);
    if (q.q) void qb.where('title', 'like', likeContains(q.q));
    if (q.from) void qb.where('starts_at', '>=', q.from);
    if (q.to) void qb.where('starts_at', '<', q.to);
    return keysetPage<EventRow, EventDto>(qb, 'id', q, (rows) => rows.map(toDto));
  },
  find: async (db, id, lock) => {
    const qb = db('events').where({ id }).first<EventRow | undefined>(COLUMNS);
    const row = await (lock ? qb.forUpdate() : qb);
    return row && toDto(row);
  },
  insert: async (trx, e) => {
    const [id] = await trx('events').insert({
      kind: e.kind,
      title: e.title,
      venue: e.venue,
      starts_at: e.startsAt,
      description: e.description,
      per_user_limit: e.perUserLimit,
      hold_ttl_s: e.holdTtlS,
    });
    return Number(id);
  },
  changes: (_trx, _before, e) =>
    Promise.resolve({
      kind: e.kind,
      title: e.title,
      venue: e.venue,
      starts_at: e.startsAt,
      description: e.description,
      per_user_limit: e.perUserLimit,
      hold_ttl_s: e.holdTtlS,
    }),
  checkDelete: async (trx, before) => {
    // Events can't be deactivated, so one that ever sold (or held) a seat stays: its buyers' history
    // and payments point at it.
    const sale = await trx('reservations')
      .where({ event_id: before.id })
      .first<{ id: number } | undefined>('id');
    if (sale)
      throw new ConflictError('EVENT_HAS_SALES', 'This event has reservations; it can not be deleted');
    // Its seats go with it (ON DELETE CASCADE); its waiting rooms must be removed first.
    await assertUnused(trx, 'event', before.id, [['waiting_rooms', 'event_id']]);
  },
};
