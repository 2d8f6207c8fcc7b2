import { z } from 'zod';
import { decimalId } from '../../../../core/http/decimal-id.js';
import { keysetPage, likeContains, pageFields } from './admin-page.js';
import { nonEmpty, type AdminResource } from './admin-resource.js';
import { assertUnused } from './in-use.js';

export interface CourseDto {
  id: number;
  code: string;
  title: string;
  credits: number;
  majorId: number;
  professorId: number;
  description: string | null;
  version: number;
}

const COLUMNS = [
  'id',
  'code',
  'title',
  'credits',
  'major_id as majorId',
  'professor_id as professorId',
  'description',
  'version',
];
const fields = {
  code: z.string().trim().min(1).max(16),
  title: z.string().trim().min(1).max(160),
  credits: z.number().int().min(1).max(30),
  majorId: z.number().int().positive(),
  professorId: z.number().int().positive(),
  description: z.string().max(5000).nullable(),
};
const query = z
  .object({
    ...pageFields,
    majorId: decimalId.optional(),
    professorId: decimalId.optional(),
    q: z.string().trim().min(1).max(64).optional(),
  })
  .strict();
const create = z.object({ ...fields, description: fields.description.default(null) }).strict();
const patch = z.object(fields).partial().strict().refine(nonEmpty, 'change at least one field');

const toRow = (c: Partial<z.output<typeof create>>) => ({
  code: c.code,
  title: c.title,
  credits: c.credits,
  major_id: c.majorId,
  professor_id: c.professorId,
  description: c.description,
});

export const courseAdmin: AdminResource<CourseDto, typeof query, typeof create, typeof patch> = {
  entity: 'course',
  table: 'courses',
  query,
  create,
  patch,
  list: (db, q) => {
    const qb = db('courses').select(COLUMNS);
    if (q.majorId) void qb.where('major_id', q.majorId);
    if (q.professorId) void qb.where('professor_id', q.professorId);
    if (q.q) {
      const like = likeContains(q.q);
      void qb.where((w) => void w.where('code', 'like', like).orWhere('title', 'like', like));
    }
    return keysetPage<CourseDto, CourseDto>(qb, 'id', q, (rows) => rows);
  },
  find: (db, id, lock) => {
    const qb = db('courses').where({ id }).first<CourseDto | undefined>(COLUMNS);
    return lock ? qb.forUpdate() : qb;
  },
  insert: async (trx, c) => Number((await trx('courses').insert(toRow(c)))[0]),
  changes: (_trx, _before, c) => Promise.resolve(toRow(c)),
  checkDelete: (trx, before) =>
    assertUnused(trx, 'course', before.id, [
      ['sections', 'course_id'],
      ['enrollments', 'course_id'],
    ]),
};
