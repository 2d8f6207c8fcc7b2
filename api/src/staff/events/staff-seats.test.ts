import { expect } from 'chai';
import request from 'supertest';
import { auditOf, catalogAdminKit, expectError, type CatalogAdminKit } from '../catalog/catalog-admin-kit.js';

describe('staff events: /api/staff/events/:id/seats', function () {
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
  async function newEvent(): Promise<number> {
    const res = await call('post', '/api/staff/events').send({
      kind: 'flight',
      title: `Flight ${k.tag()}`,
      venue: 'ICN',
      startsAt: '2027-06-01T08:00:00Z',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as number;
  }
  const seat = (label: string) => ({ label, zone: 'Economy', row: '12', x: 2, y: 11, priceCents: 12_000 });
  const addSeat = (eventId: number, body: unknown) =>
    call('post', `/api/staff/events/${eventId}/seats`).send(body as object);
  async function openRoom(eventId: number, state: string): Promise<number> {
    const [id] = await k.api.db('waiting_rooms').insert({
      slug: `sale-${k.tag().toLowerCase()}`,
      name: 'Sale',
      kind: 'sale',
      event_id: eventId,
      admission_rate_per_min: 60,
      max_active: 10,
      prequeue_opens_at: '2027-02-10 00:30:00',
      opens_at: '2027-02-10 01:00:00',
      state,
    });
    return Number(id);
  }
  /** A reservation of this seat, as the reservation committer writes one; `live` while held. */
  async function reserve(eventId: number, seatId: number, status: 'held' | 'expired'): Promise<void> {
    const [reservationId] = await k.api.db('reservations').insert({
      user_id: k.staffId,
      event_id: eventId,
      status,
      amount_cents: 12_000,
      hold_expires_at: '2027-01-01 00:00:00',
    });
    await k.api.db('reservation_seats').insert({
      reservation_id: reservationId,
      seat_id: seatId,
      price_cents: 12_000,
      live_seat_id: status === 'held' ? seatId : null,
      released_at: status === 'held' ? null : '2027-01-01 00:00:00',
    });
    if (status === 'held')
      await k.api.db('seats').where({ id: seatId }).update({ status: 'held', holder_user_id: k.staffId });
  }

  it('adds a seat with 201, an ETag and an audit row, and lists the whole map', async () => {
    const eventId = await newEvent();
    const res = await addSeat(eventId, seat('12C'));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.headers.etag).to.equal('"v1"');
    expect(res.headers.location).to.equal(`/api/staff/events/${eventId}/seats/${res.body.id}`);
    expect(res.body).to.deep.equal({
      id: res.body.id,
      eventId,
      ...seat('12C'),
      status: 'free',
      active: true,
      version: 1,
    });
    const audit = await auditOf(k.api.db, 'seat', res.body.id);
    expect(audit).to.have.length(1);
    expect(audit[0]).to.deep.include({
      actor_user_id: k.staffId,
      action: 'create',
      before: null,
      after: res.body,
    });

    const bare = await addSeat(eventId, { label: '12D', zone: 'Economy', priceCents: 9_000, active: false });
    expect(bare.body).to.deep.include({ row: null, x: null, y: null, active: false });
    const list = await call('get', `/api/staff/events/${eventId}/seats`);
    expect(list.status).to.equal(200);
    expect(list.body).to.deep.equal({ items: [res.body, bare.body], next: null });
    const page = await call('get', `/api/staff/events/${eventId}/seats?limit=1`);
    expect(page.body).to.deep.equal({ items: [res.body], next: res.body.id });
    const one = await call('get', `/api/staff/events/${eventId}/seats/${res.body.id}`);
    expect(one.headers.etag).to.equal('"v1"');
    expect(one.body).to.deep.equal(res.body);

    expectError(await call('get', '/api/staff/events/999999999/seats'), 404, 'EVENT_NOT_FOUND');
    expectError(await addSeat(999_999_999, seat('1A')), 404, 'EVENT_NOT_FOUND');
    // A seat id of another event is not this event's seat.
    const other = await newEvent();
    expectError(await call('get', `/api/staff/events/${other}/seats/${res.body.id}`), 404, 'SEAT_NOT_FOUND');
  });

  it('refuses bad seats: unknown fields, bad numbers, long labels, a label the event has (SEAT_LABEL_TAKEN)', async () => {
    const eventId = await newEvent();
    for (const bad of [
      { ...seat('1A'), extra: 1 },
      { ...seat('1A'), priceCents: -1 },
      { ...seat('1A'), priceCents: 10.5 },
      { ...seat('1A'), x: 70_000 },
      { ...seat('1A'), label: 'X'.repeat(17) },
      { ...seat('1A'), zone: '' },
      { label: '1A' },
    ])
      expectError(await addSeat(eventId, bad), 400, 'VALIDATION_FAILED');
    expect((await addSeat(eventId, seat('1A'))).status).to.equal(201);
    expectError(await addSeat(eventId, seat('1A')), 409, 'SEAT_LABEL_TAKEN');
    expectError(await call('get', `/api/staff/events/${eventId}/seats?limit=0`), 400, 'VALIDATION_FAILED');
    expectError(await call('get', `/api/staff/events/x/seats`), 400, 'VALIDATION_FAILED');
  });

  it('patches with If-Match: 409 stale, the label is not editable, and the audit has before and after', async () => {
    const eventId = await newEvent();
    const created = await addSeat(eventId, seat('3F'));
    const url = `/api/staff/events/${eventId}/seats/${created.body.id}`;
    expectError(await call('patch', url).send({ priceCents: 1 }), 428, 'IF_MATCH_REQUIRED');
    expectError(await call('patch', url, 1).send({ label: '3G' }), 400, 'VALIDATION_FAILED');
    expectError(await call('patch', url, 1).send({}), 400, 'VALIDATION_FAILED');

    const ok = await call('patch', url, 1).send({
      priceCents: 15_000,
      zone: 'Premium',
      x: null,
      active: false,
    });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.headers.etag).to.equal('"v2"');
    expect(ok.body).to.deep.include({
      priceCents: 15_000,
      zone: 'Premium',
      x: null,
      y: 11,
      active: false,
      version: 2,
    });
    const stale = await call('patch', url, 1).send({ priceCents: 1 });
    expectError(stale, 409, 'VERSION_CONFLICT');
    expect(stale.body.error.details).to.deep.equal({ currentVersion: 2 });

    const audit = await auditOf(k.api.db, 'seat', created.body.id);
    expect(audit.map((a) => a.action)).to.deep.equal(['create', 'update']);
    expect(audit[1]).to.deep.include({ before: created.body, after: ok.body });
  });

  it("refuses a held seat's price or zone (SEAT_HELD) but lets it move or be deactivated", async () => {
    const eventId = await newEvent();
    const created = await addSeat(eventId, seat('7A'));
    const url = `/api/staff/events/${eventId}/seats/${created.body.id}`;
    await reserve(eventId, created.body.id as number, 'held');
    expectError(await call('patch', url, 1).send({ priceCents: 1 }), 409, 'SEAT_HELD');
    expectError(await call('patch', url, 1).send({ zone: 'Premium' }), 409, 'SEAT_HELD');
    // The same values are no change to what the holder was quoted.
    const ok = await call('patch', url, 1).send({ priceCents: 12_000, x: 5, active: false });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body).to.deep.include({ status: 'held', x: 5, active: false, version: 2 });
    expect(await auditOf(k.api.db, 'seat', created.body.id)).to.have.length(2);
  });

  it('refuses every seat-map change while the sale room is prequeue, open or paused (SALE_ROOM_OPEN)', async () => {
    const eventId = await newEvent();
    const created = await addSeat(eventId, seat('9B'));
    const url = `/api/staff/events/${eventId}/seats/${created.body.id}`;
    const roomId = await openRoom(eventId, 'prequeue');
    for (const state of ['prequeue', 'open', 'paused']) {
      await k.api.db('waiting_rooms').where({ id: roomId }).update({ state });
      expectError(await addSeat(eventId, seat('9C')), 409, 'SALE_ROOM_OPEN');
      expectError(await call('patch', url, 1).send({ x: 3 }), 409, 'SALE_ROOM_OPEN');
      expectError(await call('delete', url, 1), 409, 'SALE_ROOM_OPEN');
    }
    // A stale edit is a version conflict first, whatever the room.
    expectError(await call('patch', url, 9).send({ x: 3 }), 409, 'VERSION_CONFLICT');
    expect(await auditOf(k.api.db, 'seat', created.body.id)).to.have.length(1);
    expect(await k.api.db('seats').where({ event_id: eventId }).count({ n: '*' })).to.deep.equal([{ n: 1 }]);

    await k.api.db('waiting_rooms').where({ id: roomId }).update({ state: 'closed' });
    expect((await call('patch', url, 1).send({ x: 3 })).status).to.equal(200);
    // The room still points at the event: it can't be deleted out from under it.
    expectError(await call('delete', `/api/staff/events/${eventId}`, 1), 409, 'IN_USE');
  });

  it('deletes a seat never reserved with its audit, and refuses one that was (SEAT_HAS_SALES)', async () => {
    const eventId = await newEvent();
    const fresh = await addSeat(eventId, seat('1A'));
    const url = `/api/staff/events/${eventId}/seats/${fresh.body.id}`;
    expectError(await call('delete', url), 428, 'IF_MATCH_REQUIRED');
    expectError(await call('delete', url, 2), 409, 'VERSION_CONFLICT');
    expect((await call('delete', url, 1)).status).to.equal(204);
    expectError(await call('get', url), 404, 'SEAT_NOT_FOUND');
    const audit = await auditOf(k.api.db, 'seat', fresh.body.id);
    expect(audit[1]).to.deep.include({ action: 'delete', before: fresh.body, after: null });

    // Released long ago still counts: the reservation's history names the seat.
    const once = await addSeat(eventId, seat('1B'));
    await reserve(eventId, once.body.id as number, 'expired');
    const onceUrl = `/api/staff/events/${eventId}/seats/${once.body.id}`;
    expectError(await call('delete', onceUrl, 1), 409, 'SEAT_HAS_SALES');
    expect((await call('patch', onceUrl, 1).send({ active: false })).body).to.deep.include({ active: false });
  });
});
