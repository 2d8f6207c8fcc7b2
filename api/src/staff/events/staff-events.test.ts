import { expect } from 'chai';
import request from 'supertest';
import { auditOf, catalogAdminKit, expectError, type CatalogAdminKit } from '../catalog/catalog-admin-kit.js';

describe('staff events: /api/staff/events', function () {
  this.timeout(20_000);
  let k: CatalogAdminKit;

  before(async () => {
    k = await catalogAdminKit();
  });
  after(() => k.api.close());

  const call = (method: 'get' | 'post' | 'patch' | 'delete', url: string, version?: number) => {
    const r = request(k.api.app)[method](url).set('Authorization', k.staff);
    if (version !== undefined) void r.set('If-Match', `"v${version}"`);
    return r;
  };
  const newEvent = (tag = k.tag()) => ({
    kind: 'concert' as const,
    title: `Night ${tag}`,
    venue: 'Arena',
    startsAt: '2027-05-01T19:30:00.000Z',
  });
  const post = (body: unknown) => call('post', '/api/staff/events').send(body as object);

  it('creates an event with defaults, a Location, an ETag and an audit row with the after image', async () => {
    const body = newEvent();
    const res = await post(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.headers.etag).to.equal('"v1"');
    expect(res.headers.location).to.equal(`/api/staff/events/${res.body.id}`);
    expect(res.body).to.deep.include({
      ...body,
      description: null,
      perUserLimit: 4,
      holdTtlS: 600,
      version: 1,
    });
    const audit = await auditOf(k.api.db, 'event', res.body.id);
    expect(audit).to.have.length(1);
    expect(audit[0]).to.deep.include({ actor_user_id: k.staffId, action: 'create', before: null });
    expect(audit[0]?.after).to.deep.equal(res.body);

    const read = await call('get', `/api/staff/events/${res.body.id}`);
    expect(read.status).to.equal(200);
    expect(read.headers.etag).to.equal('"v1"');
    expect(read.body).to.deep.equal(res.body);
    expectError(await call('get', '/api/staff/events/999999999'), 404, 'EVENT_NOT_FOUND');
    expectError(await call('get', '/api/staff/events/01'), 400, 'VALIDATION_FAILED');
  });

  it('refuses bad bodies: unknown fields, a bad kind, date, limit or hold time, missing fields', async () => {
    expectError(await post({ ...newEvent(), extra: 1 }), 400, 'VALIDATION_FAILED');
    expectError(await post({ ...newEvent(), kind: 'opera' }), 400, 'VALIDATION_FAILED');
    expectError(await post({ ...newEvent(), startsAt: '2027-05-01 19:30' }), 400, 'VALIDATION_FAILED');
    expectError(await post({ ...newEvent(), perUserLimit: 0 }), 400, 'VALIDATION_FAILED');
    expectError(await post({ ...newEvent(), holdTtlS: 5 }), 400, 'VALIDATION_FAILED');
    expectError(await post({ ...newEvent(), title: ' ' }), 400, 'VALIDATION_FAILED');
    expectError(await post({ kind: 'flight' }), 400, 'VALIDATION_FAILED');
  });

  it('lists by kind, title and start time, one keyset page at a time', async () => {
    const tag = k.tag();
    const a = await post({
      ...newEvent(),
      kind: 'flight',
      title: `Flight ${tag} A`,
      startsAt: '2031-01-01T08:00:00Z',
    });
    const b = await post({
      ...newEvent(),
      kind: 'flight',
      title: `Flight ${tag} B`,
      startsAt: '2031-01-02T08:00:00Z',
    });
    const c = await post({ ...newEvent(), title: `Concert ${tag}`, startsAt: '2031-01-03T08:00:00Z' });
    const ids = (r: request.Response) => (r.body.items as { id: number }[]).map((e) => e.id);

    const byTitle = await call('get', `/api/staff/events?q=${tag}`);
    expect(byTitle.status, JSON.stringify(byTitle.body)).to.equal(200);
    expect(ids(byTitle)).to.deep.equal([a.body.id, b.body.id, c.body.id]);
    expect(ids(await call('get', `/api/staff/events?q=${tag}&kind=flight`))).to.deep.equal([
      a.body.id,
      b.body.id,
    ]);
    expect(
      ids(await call('get', `/api/staff/events?q=${tag}&from=2031-01-02T00:00:00Z&to=2031-01-03T00:00:00Z`)),
    ).to.deep.equal([b.body.id]);

    const page1 = await call('get', `/api/staff/events?q=${tag}&limit=2`);
    expect(page1.body.next).to.equal(b.body.id);
    const page2 = await call('get', `/api/staff/events?q=${tag}&limit=2&after=${page1.body.next}`);
    expect(page2.body).to.deep.equal({ items: [c.body], next: null });
    // LIKE wildcards are searched for literally.
    expect(ids(await call('get', '/api/staff/events?q=%25%25%25'))).to.deep.equal([]);
    for (const q of ['kind=opera', 'from=yesterday', 'limit=0', 'after=01', 'nope=1'])
      expectError(await call('get', `/api/staff/events?${q}`), 400, 'VALIDATION_FAILED');
  });

  it('patches only with If-Match: 428 without, 409 stale, 200 with the next version and an audit', async () => {
    const created = await post(newEvent());
    const url = `/api/staff/events/${created.body.id}`;
    expectError(await call('patch', url).send({ title: 'x' }), 428, 'IF_MATCH_REQUIRED');
    expectError(await call('patch', url).set('If-Match', 'v1').send({ title: 'x' }), 400, 'IF_MATCH_INVALID');
    expectError(await call('patch', url, 1).send({}), 400, 'VALIDATION_FAILED');
    expectError(await call('patch', url, 1).send({ version: 2 }), 400, 'VALIDATION_FAILED');

    const ok = await call('patch', url, 1).send({
      title: 'Renamed',
      description: 'Doors at 7',
      holdTtlS: 300,
    });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.headers.etag).to.equal('"v2"');
    expect(ok.body).to.deep.include({
      title: 'Renamed',
      description: 'Doors at 7',
      holdTtlS: 300,
      venue: 'Arena',
      version: 2,
    });
    const stale = await call('patch', url, 1).send({ title: 'Lost update' });
    expectError(stale, 409, 'VERSION_CONFLICT');
    expect(stale.body.error.details).to.deep.equal({ currentVersion: 2 });

    const audit = await auditOf(k.api.db, 'event', created.body.id);
    expect(audit.map((a) => a.action)).to.deep.equal(['create', 'update']);
    expect(audit[1]?.before).to.deep.equal(created.body);
    expect(audit[1]?.after).to.deep.equal(ok.body);
  });

  it('refuses to delete an event with any reservation (EVENT_HAS_SALES), deletes one without, seats and all', async () => {
    const sold = await post(newEvent());
    await k.api.db('reservations').insert({
      user_id: k.staffId,
      event_id: sold.body.id,
      status: 'cancelled',
      amount_cents: 1000,
      hold_expires_at: '2027-01-01 00:00:00',
    });
    expectError(await call('delete', `/api/staff/events/${sold.body.id}`, 1), 409, 'EVENT_HAS_SALES');
    expect((await call('get', `/api/staff/events/${sold.body.id}`)).status).to.equal(200);

    const created = await post(newEvent());
    const url = `/api/staff/events/${created.body.id}`;
    await k.api
      .db('seats')
      .insert({ event_id: created.body.id, label: 'A1', zone: 'Floor', price_cents: 5000 });
    expectError(await call('delete', url), 428, 'IF_MATCH_REQUIRED');
    expectError(await call('delete', url, 3), 409, 'VERSION_CONFLICT');
    expect((await call('delete', url, 1)).status).to.equal(204);
    expectError(await call('get', url), 404, 'EVENT_NOT_FOUND');
    expect(await k.api.db('seats').where({ event_id: created.body.id }).count({ n: '*' })).to.deep.equal([
      { n: 0 },
    ]);
    const audit = await auditOf(k.api.db, 'event', created.body.id);
    expect(audit[1]).to.deep.include({ action: 'delete', before: created.body, after: null });
  });

  it('refuses students (403) and anonymous callers (401) on every event and seat route', async () => {
    const calls = [
      () => request(k.api.app).get('/api/staff/events'),
      () => request(k.api.app).get('/api/staff/events/1'),
      () => request(k.api.app).post('/api/staff/events').send({}),
      () => request(k.api.app).patch('/api/staff/events/1').set('If-Match', '"v1"').send({}),
      () => request(k.api.app).delete('/api/staff/events/1').set('If-Match', '"v1"'),
      () => request(k.api.app).get('/api/staff/events/1/seats'),
      () => request(k.api.app).get('/api/staff/events/1/seats/1'),
      () => request(k.api.app).post('/api/staff/events/1/seats').send({}),
      () => request(k.api.app).patch('/api/staff/events/1/seats/1').set('If-Match', '"v1"').send({}),
      () => request(k.api.app).delete('/api/staff/events/1/seats/1').set('If-Match', '"v1"'),
    ];
    for (const c of calls) {
      expectError(await c().set('Authorization', k.student), 403, 'FORBIDDEN');
      expectError(await c(), 401, 'UNAUTHENTICATED');
    }
  });
});
