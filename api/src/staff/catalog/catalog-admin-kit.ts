import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type request from 'supertest';
import { apiInProcess, type ApiInProcess } from '../../../../test/support/api-in-process.js';
import { tokenFor } from '../../../../test/support/tokens.js';
import { createTestUser } from '../../../../test/support/users.js';

/** What the staff catalog tests share: the api in-process, a real staff account (audit rows point at it), a student. */
export interface CatalogAdminKit {
  api: ApiInProcess;
  staffId: number;
  staff: string;
  student: string;
  /** A random tag for codes, so rows from different test files never collide on a unique key. */
  tag: () => string;
}

export async function catalogAdminKit(): Promise<CatalogAdminKit> {
  const api = await apiInProcess();
  const staffUser = await createTestUser(api.db, 'staff');
  const studentUser = await createTestUser(api.db, 'student');
  return {
    api,
    staffId: staffUser.id,
    staff: `Bearer ${tokenFor(api.cfg, staffUser.id, 'staff')}`,
    student: `Bearer ${tokenFor(api.cfg, studentUser.id, 'student')}`,
    tag: () => randomBytes(4).toString('hex').toUpperCase(),
  };
}

export interface AuditRow {
  actor_user_id: number;
  action: string;
  before: unknown;
  after: unknown;
}

/** The audit rows of one entity, oldest first, with their JSON parsed. */
export async function auditOf(db: Knex, entity: string, id: number): Promise<AuditRow[]> {
  const rows = await db('audit_log')
    .where({ entity, entity_id: String(id) })
    .orderBy('id')
    .select<{ actor_user_id: number; action: string; before: unknown; after: unknown }[]>(
      'actor_user_id',
      'action',
      'before',
      'after',
    );
  // The driver parses JSON columns itself on some servers and hands back text on others.
  const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
  return rows.map((r) => ({ ...r, before: parse(r.before), after: parse(r.after) }));
}

/** Asserts a JSON error of this status and code. */
export function expectError(res: request.Response, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.body).to.have.nested.property('error.code', code);
  const body = res.body as { error: { message: unknown } };
  expect(body.error.message).to.be.a('string').with.length.above(0);
}

/** A minimal term, major, professor and course straight into MySQL, for tests about what refers to them. */
export async function seedCourse(
  db: Knex,
  tag: string,
): Promise<{ termId: number; majorId: number; professorId: number; courseId: number }> {
  const [termId] = await db('terms').insert({
    code: `T${tag}`,
    name: `Term ${tag}`,
    starts_on: '2027-03-02',
    ends_on: '2027-06-20',
  });
  const [majorId] = await db('majors').insert({ code: `M${tag}`, name: `Major ${tag}` });
  const [professorId] = await db('professors').insert({ name: `Prof ${tag}`, major_id: majorId });
  const [courseId] = await db('courses').insert({
    code: `C${tag}`,
    title: `Course ${tag}`,
    credits: 3,
    major_id: majorId,
    professor_id: professorId,
  });
  return {
    termId: Number(termId),
    majorId: Number(majorId),
    professorId: Number(professorId),
    courseId: Number(courseId),
  };
}
