import { expect } from 'chai';
import request from 'supertest';
import { createTestUser } from '../../../../test/support/users.js';
import {
  auditOf,
  catalogAdminKit,
  expectError,
  seedCourse,
  type CatalogAdminKit,
} from './catalog-admin-kit.js';

describe('staff catalog: sections', function () {
  this.timeout(20_000);
  let k: CatalogAdminKit;
  let world: Awaited<ReturnType<typeof seedCourse>>;
  let nextNumber = 1;

  before(async () => {
    k = await catalogAdminKit();
    world = await seedCourse(k.api.db, k.tag());
  });
  after(() => k.api.close());

  const MEETINGS = [
    { dayOfWeek: 1, startsAt: '09:00', endsAt: '10:15', room: 'B-101' },
    { dayOfWeek: 3, startsAt: '09:00', endsAt: '10:15', room: 'B-101' },
  ];
  const newSection = (extra: Record<string, unknown> = {}) => ({
    termId: world.termId,
    courseId: world.courseId,
    sectionNumber: nextNumber++,
    capacity: 30,
    meetings: MEETINGS,
    ...extra,
  });
  const post = (body: unknown) =>
    request(k.api.app)
      .post('/api/staff/sections')
      .set('Authorization', k.staff)
      .send(body as object);
  const patch = (id: number, version: number, body: unknown) =>
    request(k.api.app)
      .patch(`/api/staff/sections/${id}`)
      .set('Authorization', k.staff)
      .set('If-Match', `"v${version}"`)
      .send(body as object);
  const del = (id: number, version: number) =>
    request(k.api.app)
      .delete(`/api/staff/sections/${id}`)
      .set('Authorization', k.staff)
      .set('If-Match', `"v${version}"`);

  it('creates a section with its meetings, active, nobody enrolled, audited', async () => {
    const body = newSection();
    const res = await post(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.headers.etag).to.equal('"v1"');
    expect(res.body).to.deep.include({ ...body, enrolled: 0, active: true, version: 1 });
    const got = await request(k.api.app)
      .get(`/api/staff/sections/${res.body.id}`)
      .set('Authorization', k.staff);
    expect(got.body).to.deep.equal(res.body);
    const audit = await auditOf(k.api.db, 'section', res.body.id);
    expect(audit[0]).to.deep.include({ action: 'create', actor_user_id: k.staffId, after: res.body });
  });

  it('refuses bad sections: meetings out of order or shape, capacity, unknown fields, term or course changes', async () => {
    const bad = [
      newSection({ meetings: [{ dayOfWeek: 8, startsAt: '09:00', endsAt: '10:00', room: 'A' }] }),
      newSection({ meetings: [{ dayOfWeek: 1, startsAt: '10:00', endsAt: '10:00', room: 'A' }] }),
      newSection({ meetings: [{ dayOfWeek: 1, startsAt: '9:00', endsAt: '10:00', room: 'A' }] }),
      newSection({ meetings: [{ dayOfWeek: 1, startsAt: '09:00', endsAt: '10:00', room: 'A', x: 1 }] }),
      newSection({ capacity: 0 }),
      newSection({ capacity: '30' }),
      newSection({ enrolled: 3 }),
      newSection({ termId: '1' }),
    ];
    for (const body of bad) expectError(await post(body), 400, 'VALIDATION_FAILED');
    const created = await post(newSection());
    expectError(await patch(created.body.id, 1, { termId: world.termId }), 400, 'VALIDATION_FAILED');
    expectError(await patch(created.body.id, 1, { courseId: world.courseId }), 400, 'VALIDATION_FAILED');
  });

  it('says 422 UNKNOWN_REFERENCE for a course that does not exist and 409 DUPLICATE for a taken number', async () => {
    expectError(await post(newSection({ courseId: 999_999_999 })), 422, 'UNKNOWN_REFERENCE');
    const created = await post(newSection());
    expectError(await post(newSection({ sectionNumber: created.body.sectionNumber })), 409, 'DUPLICATE');
  });

  it('replaces all meetings on PATCH and leaves them alone when the body has none', async () => {
    const created = await post(newSection());
    const replaced = [{ dayOfWeek: 5, startsAt: '13:00', endsAt: '15:50', room: 'Lab 2' }];
    const res = await patch(created.body.id, 1, { meetings: replaced });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({ meetings: replaced, version: 2 });
    const res2 = await patch(created.body.id, 2, { capacity: 45 });
    expect(res2.body).to.deep.include({ meetings: replaced, capacity: 45, version: 3 });
    const rows = await k.api.db('section_meetings').where({ section_id: created.body.id });
    expect(rows).to.have.length(1);
    const audit = await auditOf(k.api.db, 'section', created.body.id);
    expect(audit[1]).to.deep.include({ action: 'update', before: created.body, after: res.body });
  });

  it('refuses capacity below the enrolled count (CAPACITY_BELOW_ENROLLED) and allows it down to exactly that', async () => {
    const created = await post(newSection({ capacity: 20 }));
    await k.api.db('sections').where({ id: created.body.id }).update({ enrolled: 12 });
    const refused = await patch(created.body.id, 1, { capacity: 11 });
    expectError(refused, 409, 'CAPACITY_BELOW_ENROLLED');
    expect(refused.body.error.details).to.deep.equal({ enrolled: 12 });
    expect((await k.api.db('sections').where({ id: created.body.id }).first()).capacity).to.equal(20);
    const ok = await patch(created.body.id, 1, { capacity: 12 });
    expect(ok.status).to.equal(200);
    expect(ok.body).to.deep.include({ capacity: 12, enrolled: 12 });
  });

  it('refuses a stale version with 409 VERSION_CONFLICT and changes nothing', async () => {
    const created = await post(newSection());
    expect((await patch(created.body.id, 1, { capacity: 31 })).status).to.equal(200);
    expectError(await patch(created.body.id, 1, { capacity: 99, meetings: [] }), 409, 'VERSION_CONFLICT');
    const now = await request(k.api.app)
      .get(`/api/staff/sections/${created.body.id}`)
      .set('Authorization', k.staff);
    expect(now.body).to.deep.include({ capacity: 31, meetings: MEETINGS, version: 2 });
  });

  it('lets exactly one of two simultaneous edits of one version through; the other gets VERSION_CONFLICT', async () => {
    const created = await post(newSection());
    const results = await Promise.all([
      patch(created.body.id, 1, { capacity: 50 }),
      patch(created.body.id, 1, { capacity: 60, meetings: [] }),
    ]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 409]);
    const winner = results.find((r) => r.status === 200);
    const row = await k.api.db('sections').where({ id: created.body.id }).first();
    expect(row).to.deep.include({ capacity: winner?.body.capacity, version: 2 });
    const meetings = await k.api.db('section_meetings').where({ section_id: created.body.id });
    expect(meetings).to.have.length(winner?.body.meetings.length);
    expect(await auditOf(k.api.db, 'section', created.body.id)).to.have.length(2);
  });

  it('refuses to delete a section with an enrollment or a cart item (SECTION_HAS_ENROLLMENTS); deactivating works', async () => {
    const student = await createTestUser(k.api.db, 'student');
    const enrolled = await post(newSection());
    await k.api.db('enrollments').insert({
      user_id: student.id,
      section_id: enrolled.body.id,
      course_id: world.courseId,
      term_id: world.termId,
    });
    expectError(await del(enrolled.body.id, 1), 409, 'SECTION_HAS_ENROLLMENTS');

    const carted = await post(newSection());
    await k.api.db('cart_items').insert({ user_id: student.id, section_id: carted.body.id });
    expectError(await del(carted.body.id, 1), 409, 'SECTION_HAS_ENROLLMENTS');
    expect(await k.api.db('sections').where({ id: carted.body.id }).first()).to.not.equal(undefined);

    const off = await patch(enrolled.body.id, 1, { active: false });
    expect(off.status).to.equal(200);
    expect(off.body).to.deep.include({ active: false, version: 2 });
  });

  it('deletes a section nobody holds, with its meetings, and audits the before image', async () => {
    const created = await post(newSection());
    const res = await del(created.body.id, 1);
    expect(res.status).to.equal(204);
    expect(await k.api.db('section_meetings').where({ section_id: created.body.id })).to.have.length(0);
    const audit = await auditOf(k.api.db, 'section', created.body.id);
    expect(audit.at(-1)).to.deep.include({ action: 'delete', before: created.body, after: null });
    expectError(await del(created.body.id, 1), 404, 'SECTION_NOT_FOUND');
  });

  it('lists sections by term, course and active, in keyset pages, meetings included', async () => {
    const other = await seedCourse(k.api.db, k.tag());
    const mine: number[] = [];
    for (let i = 0; i < 3; i++) {
      const body = { ...newSection(), termId: other.termId, courseId: other.courseId, sectionNumber: i + 1 };
      mine.push((await post(body)).body.id as number);
    }
    await patch(mine[2] as number, 1, { active: false });
    const list = (q: string) =>
      request(k.api.app).get(`/api/staff/sections?${q}`).set('Authorization', k.staff);
    const page1 = await list(`termId=${other.termId}&limit=2`);
    expect(page1.body.items.map((s: { id: number }) => s.id)).to.deep.equal(mine.slice(0, 2));
    expect(page1.body.items[0].meetings).to.deep.equal(MEETINGS);
    const page2 = await list(`termId=${other.termId}&limit=2&after=${page1.body.next}`);
    expect(page2.body).to.deep.include({ next: null });
    expect(page2.body.items.map((s: { id: number }) => s.id)).to.deep.equal([mine[2]]);
    const active = await list(`courseId=${other.courseId}&active=true`);
    expect(active.body.items.map((s: { id: number }) => s.id)).to.deep.equal(mine.slice(0, 2));
    const inactive = await list(`courseId=${other.courseId}&active=false`);
    expect(inactive.body.items.map((s: { id: number }) => s.id)).to.deep.equal([mine[2]]);
    for (const q of ['active=yes', 'termId=0x1', 'courseId=', 'limit=1000'])
      expectError(await list(q), 400, 'VALIDATION_FAILED');
  });
});
