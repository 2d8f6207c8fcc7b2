import { expect } from 'chai';
import request from 'supertest';
import {
  auditOf,
  catalogAdminKit,
  expectError,
  seedCourse,
  type CatalogAdminKit,
} from './catalog-admin-kit.js';

/** Majors, professors, courses and registration windows: the full life of one row each, and their refusals. */
describe('staff catalog: majors, professors, courses, windows', function () {
  this.timeout(20_000);
  let k: CatalogAdminKit;

  before(async () => {
    k = await catalogAdminKit();
  });
  after(() => k.api.close());

  const call = (method: 'get' | 'post' | 'patch' | 'delete', url: string, version?: number) => {
    const r = request(k.api.app)[method](url).set('Authorization', k.staff);
    return version === undefined ? r : r.set('If-Match', `"v${version}"`);
  };

  /** Create → read → patch → stale patch → delete, each audited; returns nothing, asserts all. */
  async function lifeOf(family: string, entity: string, body: object, change: object) {
    const created = await call('post', `/api/staff/${family}`).send(body);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.deep.include({ ...body, version: 1 });
    const url = `/api/staff/${family}/${created.body.id}`;
    const got = await call('get', url);
    expect(got.headers.etag).to.equal('"v1"');
    const patched = await call('patch', url, 1).send(change);
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    expect(patched.body).to.deep.include({ ...change, version: 2 });
    expectError(await call('patch', url, 1).send(change), 409, 'VERSION_CONFLICT');
    // `after` is an id seen, so it starts at 1: the very first row of a table is read without one.
    const after = created.body.id > 1 ? `after=${created.body.id - 1}&` : '';
    const listed = await call('get', `/api/staff/${family}?${after}limit=1`);
    expect(listed.body.items).to.deep.equal([patched.body]);
    expect((await call('delete', url, 2)).status).to.equal(204);
    expectError(await call('get', url), 404, `${entity.toUpperCase()}_NOT_FOUND`);
    const audit = await auditOf(k.api.db, entity, created.body.id);
    expect(audit.map((a) => a.action)).to.deep.equal(['create', 'update', 'delete']);
    expect(audit[1]).to.deep.include({ before: created.body, after: patched.body });
    expect(audit[2]).to.deep.include({ before: patched.body, after: null });
  }

  it('runs a major through its whole life, and refuses to delete one still used (IN_USE)', async () => {
    const tag = k.tag();
    await lifeOf('majors', 'major', { code: `M${tag}`, name: 'Physics' }, { name: 'Applied Physics' });
    const w = await seedCourse(k.api.db, k.tag());
    expectError(await call('delete', `/api/staff/majors/${w.majorId}`, 1), 409, 'IN_USE');
    expectError(
      await call('post', '/api/staff/majors').send({ code: `M${tag}`, nam: 'x' }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('runs a professor through its whole life, and refuses to delete one still teaching (IN_USE)', async () => {
    const w = await seedCourse(k.api.db, k.tag());
    await lifeOf(
      'professors',
      'professor',
      { name: 'Ada Byron', email: `ada${k.tag()}@example.edu`, majorId: w.majorId },
      { email: null },
    );
    expectError(await call('delete', `/api/staff/professors/${w.professorId}`, 1), 409, 'IN_USE');
    expectError(
      await call('post', '/api/staff/professors').send({ name: 'X', majorId: 999_999_999 }),
      422,
      'UNKNOWN_REFERENCE',
    );
  });

  it('runs a course through its whole life, and refuses to delete one with sections (IN_USE)', async () => {
    const w = await seedCourse(k.api.db, k.tag());
    await lifeOf(
      'courses',
      'course',
      {
        code: `C${k.tag()}`,
        title: 'Compilers',
        credits: 3,
        majorId: w.majorId,
        professorId: w.professorId,
        description: null,
      },
      { credits: 4, title: 'Compilers II' },
    );
    await k.api
      .db('sections')
      .insert({ term_id: w.termId, course_id: w.courseId, section_number: 1, capacity: 5 });
    expectError(await call('delete', `/api/staff/courses/${w.courseId}`, 1), 409, 'IN_USE');
    const filtered = await call('get', `/api/staff/courses?professorId=${w.professorId}`);
    expect(filtered.body.items.map((c: { id: number }) => c.id)).to.deep.equal([w.courseId]);
  });

  describe('registration windows', () => {
    const window = (termId: number) => ({
      termId,
      name: 'Seniors first',
      grades: [4, 3],
      opensAt: '2027-02-10T01:00:00.000Z',
      closesAt: '2027-02-10T09:00:00.000Z',
    });

    it('runs a window through its whole life, grades stored sorted', async () => {
      const w = await seedCourse(k.api.db, k.tag());
      const created = await call('post', '/api/staff/windows').send(window(w.termId));
      expect(created.body.grades).to.deep.equal([3, 4]);
      expect((await call('delete', `/api/staff/windows/${created.body.id}`, 1)).status).to.equal(204);
      await lifeOf(
        'windows',
        'registration_window',
        { ...window(w.termId), grades: [3, 4] },
        { name: 'Juniors and seniors', closesAt: '2027-02-10T10:00:00.000Z' },
      );
    });

    it('refuses opensAt at or after closesAt with 400, on create and on a patch of one end', async () => {
      const w = await seedCourse(k.api.db, k.tag());
      const same = { ...window(w.termId), closesAt: window(w.termId).opensAt };
      expectError(await call('post', '/api/staff/windows').send(same), 400, 'VALIDATION_FAILED');
      for (const grades of [[], [5], [1, 1], ['1']])
        expectError(
          await call('post', '/api/staff/windows').send({ ...window(w.termId), grades }),
          400,
          'VALIDATION_FAILED',
        );
      const created = await call('post', '/api/staff/windows').send(window(w.termId));
      expectError(
        await call('patch', `/api/staff/windows/${created.body.id}`, 1).send({
          opensAt: '2027-02-10T09:00:00Z',
        }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('refuses grade or time changes while its room is open or paused (WINDOW_ROOM_OPEN), allows a rename', async () => {
      const w = await seedCourse(k.api.db, k.tag());
      const created = await call('post', '/api/staff/windows').send(window(w.termId));
      const id = created.body.id as number;
      const [roomId] = await k.api.db('waiting_rooms').insert({
        slug: `room-${k.tag().toLowerCase()}`,
        name: 'Room',
        kind: 'registration',
        registration_window_id: id,
        admission_rate_per_min: 60,
        max_active: 10,
        prequeue_opens_at: '2027-02-10 00:30:00',
        opens_at: '2027-02-10 01:00:00',
        state: 'open',
      });
      const url = `/api/staff/windows/${id}`;
      expectError(await call('patch', url, 1).send({ grades: [4] }), 409, 'WINDOW_ROOM_OPEN');
      await k.api.db('waiting_rooms').where({ id: roomId }).update({ state: 'paused' });
      expectError(
        await call('patch', url, 1).send({ closesAt: '2027-02-10T11:00:00Z' }),
        409,
        'WINDOW_ROOM_OPEN',
      );
      // Sending the same values changes nothing live, so it is no reason to refuse.
      const renamed = await call('patch', url, 1).send({ name: 'Renamed', grades: [3, 4] });
      expect(renamed.status, JSON.stringify(renamed.body)).to.equal(200);
      expectError(await call('delete', url, 2), 409, 'IN_USE');
      await k.api.db('waiting_rooms').where({ id: roomId }).update({ state: 'closed' });
      expect((await call('patch', url, 2).send({ grades: [4] })).body).to.deep.include({
        grades: [4],
        version: 3,
      });
    });
  });
});
