import { z } from 'zod';
import { decimalId } from '../../../../core/http/decimal-id.js';
import { keysetPage, likeContains, pageFields } from './admin-page.js';
import { nonEmpty, type AdminResource } from './admin-resource.js';
import { assertUnused } from './in-use.js';

export interface ProfessorDto {
  id: number;
  name: string;
  email: string | null;
  majorId: number;
  version: number;
}

const COLUMNS = ['id', 'name', 'email', 'major_id as majorId', 'version'];
const fields = {
  name: z.string().trim().min(1).max(128),
  email: z.email().max(255).nullable(),
  majorId: z.number().int().positive(),
};
const query = z
  .object({ ...pageFields, majorId: decimalId.optional(), q: z.string().trim().min(1).max(64).optional() })
  .strict();
const create = z.object({ ...fields, email: fields.email.default(null) }).strict();
const patch = z.object(fields).partial().strict().refine(nonEmpty, 'change at least one field');

export const professorAdmin: AdminResource<ProfessorDto, typeof query, typeof create, typeof patch> = {
  entity: 'professor',
  table: 'professors',
  query,
  create,
  patch,
  list: (db, q) => {
    const qb = db('professors').select(COLUMNS);
    if (q.majorId) void qb.where('major_id', q.majorId);
    if (q.q) void qb.where('name', 'like', likeContains(q.q));
    return keysetPage<ProfessorDto, ProfessorDto>(qb, 'id', q, (rows) => rows);
  },
  find: (db, id, lock) => {
    const qb = db('professors').where({ id }).first<ProfessorDto | undefined>(COLUMNS);
    return lock ? qb.forUpdate() : qb;
  },
  insert: async (trx, p) =>
    Number((await trx('professors').insert({ name: p.name, email: p.email, major_id: p.majorId }))[0]),
  changes: (_trx, _before, p) => Promise.resolve({ name: p.name, email: p.email, major_id: p.majorId }),
  checkDelete: (trx, before) => assertUnused(trx, 'professor', before.id, [['courses', 'professor_id']]),
};
