import { z } from 'zod';
import { ValidationError } from '../../../../core/errors.js';
import { keysetPage, pageFields } from './admin-page.js';
import { nonEmpty, type AdminResource } from './admin-resource.js';
import { assertUnused } from './in-use.js';

export interface TermDto {
  id: number;
  code: string;
  name: string;
  startsOn: string;
  endsOn: string;
  version: number;
}

interface TermRow {
  id: number;
  code: string;
  name: string;
  starts_on: Date;
  ends_on: Date;
  version: number;
}

// DATE columns come back as midnight UTC (the pool runs in UTC), so the ISO date is the first 10 characters.
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const toDto = (r: TermRow): TermDto => ({
  id: r.id,
  code: r.code,
  name: r.name,
  startsOn: isoDate(r.starts_on),
  endsOn: isoDate(r.ends_on),
  version: r.version,
});

const fields = {
  code: z.string().trim().min(1).max(16),
  name: z.string().trim().min(1).max(64),
  startsOn: z.iso.date(),
  endsOn: z.iso.date(),
};
const endsAfterStart = (t: { startsOn: string; endsOn: string }) => t.startsOn < t.endsOn;
const rangeError = () =>
  new ValidationError('Invalid request body: endsOn: must be after startsOn', {
    fields: [{ path: 'endsOn', message: 'must be after startsOn' }],
  });

const query = z.object({ ...pageFields, code: fields.code.optional() }).strict();
const create = z
  .object(fields)
  .strict()
  .refine(endsAfterStart, { path: ['endsOn'], message: 'must be after startsOn' });
const patch = z.object(fields).partial().strict().refine(nonEmpty, 'change at least one field');

const COLUMNS = ['id', 'code', 'name', 'starts_on', 'ends_on', 'version'];

export const termAdmin: AdminResource<TermDto, typeof query, typeof create, typeof patch> = {
  entity: 'term',
  table: 'terms',
  query,
  create,
  patch,
  list: (db, q) => {
    const qb = db('terms').select(COLUMNS);
    if (q.code) void qb.where('code', q.code);
    return keysetPage<TermRow, TermDto>(qb, 'id', q, (rows) => rows.map(toDto));
  },
  find: async (db, id, lock) => {
    const qb = db('terms').where({ id }).first<TermRow | undefined>(COLUMNS);
    const row = await (lock ? qb.forUpdate() : qb);
    return row && toDto(row);
  },
  insert: async (trx, t) => {
    const [id] = await trx('terms').insert({
      code: t.code,
      name: t.name,
      starts_on: t.startsOn,
      ends_on: t.endsOn,
    });
    return Number(id);
  },
  changes: (_trx, before, t) => {
    if (!endsAfterStart({ ...before, ...t })) throw rangeError();
    return Promise.resolve({ code: t.code, name: t.name, starts_on: t.startsOn, ends_on: t.endsOn });
  },
  checkDelete: (trx, before) =>
    assertUnused(trx, 'term', before.id, [
      ['sections', 'term_id'],
      ['registration_windows', 'term_id'],
      ['enrollments', 'term_id'],
    ]),
};
