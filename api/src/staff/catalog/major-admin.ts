import type { Knex } from 'knex';
import { z } from 'zod';
import { keysetPage, likeContains, pageFields } from './admin-page.js';
import { nonEmpty, type AdminResource } from './admin-resource.js';
import { assertUnused } from './in-use.js';

export interface MajorDto {
  id: number;
  code: string;
  name: string;
  version: number;
}

const COLUMNS = ['id', 'code', 'name', 'version'];
const fields = { code: z.string().trim().min(1).max(16), name: z.string().trim().min(1).max(128) };
const query = z.object({ ...pageFields, q: z.string().trim().min(1).max(64).optional() }).strict();
const create = z.object(fields).strict();
const patch = z.object(fields).partial().strict().refine(nonEmpty, 'change at least one field');

export const majorAdmin: AdminResource<MajorDto, typeof query, typeof create, typeof patch> = {
  entity: 'major',
  table: 'majors',
  query,
  create,
  patch,
  list: (db, q) => {
    const qb = db('majors').select(COLUMNS);
    if (q.q) {
      const like = likeContains(q.q);
      void qb.where((w) => void w.where('code', 'like', like).orWhere('name', 'like', like));
    }
    return keysetPage<MajorDto, MajorDto>(qb, 'id', q, (rows) => rows);
  },
  find: (db: Knex, id, lock) => {
    const qb = db('majors').where({ id }).first<MajorDto | undefined>(COLUMNS);
    return lock ? qb.forUpdate() : qb;
  },
  insert: async (trx, m) => Number((await trx('majors').insert({ code: m.code, name: m.name }))[0]),
  changes: (_trx, _before, m) => Promise.resolve({ code: m.code, name: m.name }),
  checkDelete: (trx, before) =>
    assertUnused(trx, 'major', before.id, [
      ['professors', 'major_id'],
      ['courses', 'major_id'],
      ['users', 'major_id'],
    ]),
};
