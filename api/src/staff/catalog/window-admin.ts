import type { Knex } from 'knex';
import { z } from 'zod';
import { ConflictError, ValidationError } from '../../../../core/errors.js';
import { decimalId } from '../../../../core/http/decimal-id.js';
import { keysetPage, pageFields } from './admin-page.js';
import { nonEmpty, type AdminResource } from './admin-resource.js';
import { assertUnused } from './in-use.js';
import { isoInstant } from '../../../../core/http/iso-instant.js';

export interface WindowDto {
  id: number;
  termId: number;
  name: string;
  grades: number[];
  opensAt: string;
  closesAt: string;
  version: number;
}

interface WindowRow {
  id: number;
  term_id: number;
  name: string;
  grades: string | number[];
  opens_at: Date;
  closes_at: Date;
  version: number;
}

const COLUMNS = ['id', 'term_id', 'name', 'grades', 'opens_at', 'closes_at', 'version'];

// MariaDB's JSON is LONGTEXT underneath, so the driver may hand back the text rather than the array.
const toDto = (r: WindowRow): WindowDto => ({
  id: r.id,
  termId: r.term_id,
  name: r.name,
  grades: typeof r.grades === 'string' ? (JSON.parse(r.grades) as number[]) : r.grades,
  opensAt: r.opens_at.toISOString(),
  closesAt: r.closes_at.toISOString(),
  version: r.version,
});

const instant = isoInstant;
const fields = {
  name: z.string().trim().min(1).max(128),
  // Stored sorted and without repeats, so JSON_CONTAINS eligibility and comparisons see one spelling.
  grades: z
    .array(z.number().int().min(1).max(4))
    .min(1)
    .max(4)
    .refine((g) => new Set(g).size === g.length, 'must not repeat a grade')
    .transform((g) => [...g].sort((a, b) => a - b)),
  opensAt: instant,
  closesAt: instant,
};
const query = z.object({ ...pageFields, termId: decimalId.optional() }).strict();
const create = z
  .object({ termId: z.number().int().positive(), ...fields })
  .strict()
  .refine((w) => w.opensAt < w.closesAt, { path: ['closesAt'], message: 'must be after opensAt' });
const patch = z.object(fields).partial().strict().refine(nonEmpty, 'change at least one field');

/** The window's room while it admits people ('open') or holds them ('paused'): its rules are live then. */
async function liveRoomOf(trx: Knex, windowId: number): Promise<{ id: number; state: string } | undefined> {
  return trx('waiting_rooms')
    .where({ registration_window_id: windowId })
    .whereIn('state', ['open', 'paused'])
    .first<{ id: number; state: string } | undefined>('id', 'state')
    .forShare();
}

export const windowAdmin: AdminResource<WindowDto, typeof query, typeof create, typeof patch> = {
  entity: 'registration_window',
  table: 'registration_windows',
  query,
  create,
  patch,
  list: (db, q) => {
    const qb = db('registration_windows').select(COLUMNS);
    if (q.termId) void qb.where('term_id', q.termId);
    return keysetPage<WindowRow, WindowDto>(qb, 'id', q, (rows) => rows.map(toDto));
  },
  find: async (db, id, lock) => {
    const qb = db('registration_windows').where({ id }).first<WindowRow | undefined>(COLUMNS);
    const row = await (lock ? qb.forUpdate() : qb);
    return row && toDto(row);
  },
  insert: async (trx, w) => {
    const [id] = await trx('registration_windows').insert({
      term_id: w.termId,
      name: w.name,
      grades: JSON.stringify(w.grades),
      opens_at: w.opensAt,
      closes_at: w.closesAt,
    });
    return Number(id);
  },
  changes: async (trx, before, w) => {
    const opensAt = w.opensAt ?? new Date(before.opensAt);
    const closesAt = w.closesAt ?? new Date(before.closesAt);
    if (opensAt >= closesAt) {
      throw new ValidationError('Invalid request body: closesAt: must be after opensAt', {
        fields: [{ path: 'closesAt', message: 'must be after opensAt' }],
      });
    }
    const gradesChange = w.grades !== undefined && w.grades.join() !== before.grades.join();
    const timesChange =
      opensAt.getTime() !== Date.parse(before.opensAt) || closesAt.getTime() !== Date.parse(before.closesAt);
    if (gradesChange || timesChange) {
      const room = await liveRoomOf(trx, before.id);
      if (room) {
        throw new ConflictError(
          'WINDOW_ROOM_OPEN',
          `Waiting room ${room.id} is ${room.state} for this window; close it before changing grades or times`,
          { roomId: room.id, state: room.state },
        );
      }
    }
    return {
      name: w.name,
      grades: w.grades && JSON.stringify(w.grades),
      opens_at: w.opensAt,
      closes_at: w.closesAt,
    };
  },
  checkDelete: (trx, before) =>
    assertUnused(trx, 'registration window', before.id, [['waiting_rooms', 'registration_window_id']]),
};
