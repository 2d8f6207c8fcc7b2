import { expect } from 'chai';
import request from 'supertest';
import {
  auditOf,
  catalogAdminKit,
  expectError,
  seedCourse,
  type CatalogAdminKit,
} from './catalog-admin-kit.js';

describe('staff catalog: terms', function () {
  this.timeout(20_000);
  let k: CatalogAdminKit;

  before(async () => {
    k = await catalogAdminKit();
  });
  after(() => k.api.close());

  const post = (body: unknown) =>
    request(k.api.app)
      .post('/api/staff/terms')
      .set('Authorization', k.staff)
      .send(body as object);
  const newTerm = (tag = k.tag()) => ({
    code: `T${tag}`,
    name: `Spring ${tag}`,
    startsOn: '2027-03-02',
    endsOn: '2027-06-20',
  });

  it('creates a term with 201, a Location, an ETag and an audit row with the after image', async () => {
    const body = newTerm();
    const res = await post(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.headers.etag).to.equal('"v1"');
    expect(res.headers.location).to.equal(`/api/staff/terms/${res.body.id}`);
    expect(res.body).to.deep.include({ ...body, version: 1 });
    const audit = await auditOf(k.api.db, 'term', res.body.id);
    expect(audit).to.have.length(1);
    expect(audit[0]).to.deep.include({ actor_user_id: k.staffId, action: 'create', before: null });
    expect(audit[0]?.after).to.deep.equal(res.body);
  });

  it('reads one term with its ETag, 404 for a missing one and 400 for an id not in plain decimal', async () => {
    const created = await post(newTerm());
    const res = await request(k.api.app)
      .get(`/api/staff/terms/${created.body.id}`)
      .set('Authorization', k.staff);
    expect(res.status).to.equal(200);
    expect(res.headers.etag).to.equal('"v1"');
    expect(res.body).to.deep.equal(created.body);
    expectError(
      await request(k.api.app).get('/api/staff/terms/999999999').set('Authorization', k.staff),
      404,
      'TERM_NOT_FOUND',
    );
    for (const bad of ['0x1', '01', '1e0', 'abc'])
      expectError(
        await request(k.api.app).get(`/api/staff/terms/${bad}`).set('Authorization', k.staff),
        400,
        'VALIDATION_FAILED',
      );
  });

  it('refuses bad bodies: unknown fields, bad dates, an empty or inverted range, missing fields', async () => {
    expectError(await post({ ...newTerm(), extra: 1 }), 400, 'VALIDATION_FAILED');
    expectError(await post({ ...newTerm(), startsOn: '2027-02-30' }), 400, 'VALIDATION_FAILED');
    expectError(await post({ ...newTerm(), startsOn: '02/03/2027' }), 400, 'VALIDATION_FAILED');
    expectError(await post({ ...newTerm(), endsOn: '2027-03-02' }), 400, 'VALIDATION_FAILED');
    expectError(await post({ ...newTerm(), code: '' }), 400, 'VALIDATION_FAILED');
    expectError(await post({ name: 'x' }), 400, 'VALIDATION_FAILED');
    expectError(await post([]), 400, 'VALIDATION_FAILED');
  });

  it('refuses a second term with the same code with 409 DUPLICATE', async () => {
    const body = newTerm();
    expect((await post(body)).status).to.equal(201);
    expectError(await post(body), 409, 'DUPLICATE');
  });

  it('lists terms one keyset page at a time and filters by code', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await post(newTerm())).body.id as number);
    const first = ids[0] as number;
    const page1 = await request(k.api.app)
      .get(`/api/staff/terms?after=${first - 1}&limit=2`)
      .set('Authorization', k.staff);
    expect(page1.status).to.equal(200);
    expect(page1.body.items.map((t: { id: number }) => t.id)).to.deep.equal(ids.slice(0, 2));
    expect(page1.body.next).to.equal(ids[1]);
    const page2 = await request(k.api.app)
      .get(`/api/staff/terms?after=${page1.body.next}&limit=2`)
      .set('Authorization', k.staff);
    expect(page2.body.items[0].id).to.equal(ids[2]);
    const one = await request(k.api.app)
      .get(`/api/staff/terms?code=${page1.body.items[1].code}`)
      .set('Authorization', k.staff);
    expect(one.body).to.deep.equal({ items: [page1.body.items[1]], next: null });
    // Newest first (the console's order): the last one made leads, and `after` pages towards older ones.
    const newest = await request(k.api.app)
      .get('/api/staff/terms?order=newest&limit=2')
      .set('Authorization', k.staff);
    expect(newest.body.items.map((t: { id: number }) => t.id)).to.deep.equal([ids[2], ids[1]]);
    const older = await request(k.api.app)
      .get(`/api/staff/terms?order=newest&limit=2&after=${newest.body.next}`)
      .set('Authorization', k.staff);
    expect(older.body.items[0].id).to.equal(ids[0]);
    for (const q of ['limit=0', 'limit=101', 'after=01', 'after=-1', 'nope=1', 'order=latest'])
      expectError(
        await request(k.api.app).get(`/api/staff/terms?${q}`).set('Authorization', k.staff),
        400,
        'VALIDATION_FAILED',
      );
  });

  it('patches only with If-Match: 428 without, 400 malformed, 409 stale, 200 with the next version and an audit', async () => {
    const created = await post(newTerm());
    const url = `/api/staff/terms/${created.body.id}`;
    const patch = (ifMatch: string | undefined, body: unknown) => {
      const r = request(k.api.app).patch(url).set('Authorization', k.staff);
      if (ifMatch) void r.set('If-Match', ifMatch);
      return r.send(body as object);
    };
    expectError(await patch(undefined, { name: 'Renamed' }), 428, 'IF_MATCH_REQUIRED');
    expectError(await patch('v1', { name: 'Renamed' }), 400, 'IF_MATCH_INVALID');
    expectError(await patch('"v1"', {}), 400, 'VALIDATION_FAILED');
    expectError(await patch('"v1"', { version: 2 }), 400, 'VALIDATION_FAILED');
    expectError(await patch('"v1"', { endsOn: '2027-01-01' }), 400, 'VALIDATION_FAILED');

    const ok = await patch('"v1"', { name: 'Renamed' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.headers.etag).to.equal('"v2"');
    expect(ok.body).to.deep.include({ name: 'Renamed', version: 2, code: created.body.code });

    const stale = await patch('"v1"', { name: 'Lost update' });
    expectError(stale, 409, 'VERSION_CONFLICT');
    expect(stale.body.error.details).to.deep.equal({ currentVersion: 2 });

    const audit = await auditOf(k.api.db, 'term', created.body.id);
    expect(audit.map((a) => a.action)).to.deep.equal(['create', 'update']);
    expect(audit[1]?.before).to.deep.equal(created.body);
    expect(audit[1]?.after).to.deep.equal(ok.body);
  });

  it('refuses to delete a term still referenced (IN_USE) and deletes an unused one with its audit', async () => {
    const used = await seedCourse(k.api.db, k.tag());
    await k.api.db('sections').insert({
      term_id: used.termId,
      course_id: used.courseId,
      section_number: 1,
      capacity: 10,
    });
    expectError(
      await request(k.api.app)
        .delete(`/api/staff/terms/${used.termId}`)
        .set('Authorization', k.staff)
        .set('If-Match', '"v1"'),
      409,
      'IN_USE',
    );

    const created = await post(newTerm());
    const url = `/api/staff/terms/${created.body.id}`;
    expectError(await request(k.api.app).delete(url).set('Authorization', k.staff), 428, 'IF_MATCH_REQUIRED');
    expectError(
      await request(k.api.app).delete(url).set('Authorization', k.staff).set('If-Match', '"v7"'),
      409,
      'VERSION_CONFLICT',
    );
    const del = await request(k.api.app).delete(url).set('Authorization', k.staff).set('If-Match', '"v1"');
    expect(del.status).to.equal(204);
    expectError(await request(k.api.app).get(url).set('Authorization', k.staff), 404, 'TERM_NOT_FOUND');
    const audit = await auditOf(k.api.db, 'term', created.body.id);
    expect(audit[1]).to.deep.include({ action: 'delete', before: created.body, after: null });
  });

  it('refuses students (403) and anonymous callers (401) on every catalog family and method', async () => {
    for (const family of ['terms', 'majors', 'professors', 'courses', 'sections', 'windows']) {
      const base = `/api/staff/${family}`;
      const calls = [
        () => request(k.api.app).get(base),
        () => request(k.api.app).get(`${base}/1`),
        () => request(k.api.app).post(base).send({}),
        () => request(k.api.app).patch(`${base}/1`).set('If-Match', '"v1"').send({}),
        () => request(k.api.app).delete(`${base}/1`).set('If-Match', '"v1"'),
      ];
      for (const call of calls) {
        expectError(await call().set('Authorization', k.student), 403, 'FORBIDDEN');
        expectError(await call(), 401, 'UNAUTHENTICATED');
      }
    }
  });
});
