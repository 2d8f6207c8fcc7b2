import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import request from 'supertest';
import { redisKeys } from '../../../../core/redis-keys.js';
import { apiInProcess, countQueries, type ApiInProcess } from '../../../../test/support/api-in-process.js';
import { createEnrollmentFixture, createSection } from '../../../../test/support/catalog-fixture.js';
import { createSale } from '../../../../test/support/event-fixture.js';
import { tokenFor } from '../../../../test/support/tokens.js';
import { createTestUser, type TestUser } from '../../../../test/support/users.js';

async function insertRequest(
  db: Knex,
  row: { user_id: number; room_id: number; kind: 'enrollment' | 'reservation'; status: string } & Record<
    string,
    unknown
  >,
): Promise<number> {
  const key = randomBytes(6).toString('hex');
  const [id] = await db('requests').insert({
    idempotency_key: key,
    payload: JSON.stringify({}),
    commit_job_id: `job-${key}`,
    ...row,
  });
  return id as number;
}

describe('staff: support lookup', function () {
  this.timeout(20_000);
  let api: ApiInProcess;
  let asStaff: string;
  let person: TestUser;
  const tag = randomBytes(4).toString('hex');
  const started = Date.now() - 5_000;
  const ids = {} as {
    regRoom: number;
    saleRoom: number;
    joinedOnlyRoom: number;
    enrollRequest: number;
    saleRequest: number;
    reservation: number;
    seats: number[];
  };

  before(async () => {
    api = await apiInProcess();
    const staff = await createTestUser(api.db, 'staff');
    asStaff = `Bearer ${tokenFor(api.cfg, staff.id, 'staff')}`;
    person = await createTestUser(api.db, 'student');
    await api
      .db('users')
      .where({ id: person.id })
      .update({ display_name: `Park ${tag} Jisoo`, student_number: `S${tag}` });
    const db = api.db;

    const reg = await createEnrollmentFixture(db);
    const { sectionId, courseId } = await createSection(db, reg, { capacity: 10 });
    ids.regRoom = reg.roomId;
    ids.enrollRequest = await insertRequest(db, {
      user_id: person.id,
      room_id: reg.roomId,
      kind: 'enrollment',
      status: 'committed',
      outcome_code: 'ENROLLED',
      outcome_message: 'You are enrolled',
      outcome: JSON.stringify({
        items: [{ sectionId, status: 'committed', code: 'ENROLLED', message: 'ok' }],
      }),
      queue_number: 7,
      completed_at: new Date(),
    });
    await db('enrollments').insert({
      user_id: person.id,
      section_id: sectionId,
      course_id: courseId,
      term_id: reg.termId,
      request_id: ids.enrollRequest,
    });

    const sale = await createSale(db, { rows: 1, seatsPerRow: 3 });
    ids.saleRoom = sale.roomId;
    ids.saleRequest = await insertRequest(db, {
      user_id: person.id,
      room_id: sale.roomId,
      kind: 'reservation',
      status: 'rejected',
      outcome_code: 'SEAT_TAKEN',
      outcome_message: 'Someone was faster',
      outcome: JSON.stringify({ taken: ['A1'] }),
    });
    const [reservation] = await db('reservations').insert({
      user_id: person.id,
      event_id: sale.eventId,
      status: 'paid',
      amount_cents: 10_000,
      hold_expires_at: new Date(Date.now() + 600_000),
      paid_at: new Date(),
    });
    ids.reservation = reservation as number;
    ids.seats = sale.seats.slice(1, 3).map((s) => s.id);
    await db('reservation_seats').insert(
      ids.seats.map((seatId) => ({
        reservation_id: reservation,
        seat_id: seatId,
        price_cents: 5_000,
        live_seat_id: seatId,
      })),
    );
    await db('payments').insert({
      reservation_id: reservation,
      amount_cents: 10_000,
      status: 'succeeded',
      provider: 'sim',
      idempotency_key: `pay-${tag}`,
    });
    await db('notifications').insert(
      Array.from({ length: 55 }, (_, i) => ({
        user_id: person.id,
        kind: 'request',
        code: `N${i}`,
        message: `note ${i}`,
        params: '{}',
        link: '{}',
      })),
    );

    // A room they joined but sent nothing through, and their place in the registration room.
    ids.joinedOnlyRoom = (await createSale(db, { rows: 1, seatsPerRow: 1 })).roomId;
    const keys = redisKeys(api.cfg.redis.prefix);
    const uid = String(person.id);
    await api.redis.hset(keys.room(ids.regRoom, 'users'), uid, 'p3');
    await api.redis.hset(keys.room(ids.regRoom, 'joined'), uid, String(started));
    await api.redis.hset(keys.room(ids.regRoom, 'admitted'), uid, `${started + 1000}:${started + 601_000}`);
    await api.redis.hset(keys.room(ids.joinedOnlyRoom, 'users'), uid, 'q12');
  });
  after(() => api.close());

  const get = (path: string, auth = asStaff) => request(api.app).get(path).set('authorization', auth);

  it('refuses students with 403 on both routes', async () => {
    const asStudent = `Bearer ${tokenFor(api.cfg, person.id)}`;
    for (const path of [`/api/staff/lookup?q=${tag}`, `/api/staff/lookup/users/${person.id}`]) {
      const res = await get(path, asStudent);
      expect(res.status, path).to.equal(403);
      expect(res.body.error.code).to.equal('FORBIDDEN');
    }
  });

  it('finds a person by username, student number or part of their name', async () => {
    for (const q of [person.username, `S${tag}`, `${tag} Ji`, person.username.slice(0, 8).toUpperCase()]) {
      const res = await get(`/api/staff/lookup?q=${encodeURIComponent(q)}`);
      expect(res.status, q).to.equal(200);
      expect(
        res.body.people.map((p: { id: number }) => p.id),
        q,
      ).to.include(person.id);
      expect(res.body.people.length).to.be.at.most(20);
    }
    const hit = (await get(`/api/staff/lookup?q=S${tag}`)).body.people[0];
    expect(hit).to.deep.equal({
      id: person.id,
      username: person.username,
      role: 'student',
      displayName: `Park ${tag} Jisoo`,
      studentNumber: `S${tag}`,
      active: true,
    });
    expect((await get('/api/staff/lookup?q=zz_nobody_zz')).body.people).to.deep.equal([]);
  });

  it('refuses bad input with 400 and an unknown person with 404', async () => {
    for (const path of [
      '/api/staff/lookup',
      '/api/staff/lookup?q=',
      `/api/staff/lookup?q=${'x'.repeat(65)}`,
      '/api/staff/lookup?q=a&x=1',
      '/api/staff/lookup/users/01',
      '/api/staff/lookup/users/abc',
    ]) {
      const res = await get(path);
      expect(res.status, path).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    const missing = await get('/api/staff/lookup/users/999999999');
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('USER_NOT_FOUND');
  });

  it("tells a person's whole story in a fixed number of queries", async () => {
    const { result: res, queries } = await countQueries(api.db, () =>
      get(`/api/staff/lookup/users/${person.id}`),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    // Profile, requests, enrollments, reservations, their seats, their payments, notifications, rooms.
    expect(queries.length).to.be.at.most(8);
    const story = res.body;
    expect(story.profile).to.include({ id: person.id, studentNumber: `S${tag}`, active: true });

    expect(story.requests.map((r: { id: number }) => r.id)).to.deep.equal([
      ids.saleRequest,
      ids.enrollRequest,
    ]);
    expect(story.requests[0]).to.deep.include({
      kind: 'reservation',
      status: 'rejected',
      outcome: { code: 'SEAT_TAKEN', message: 'Someone was faster', details: { taken: ['A1'] } },
      completedAt: null,
    });
    expect(story.requests[0].room.id).to.equal(ids.saleRoom);
    expect(story.requests[1]).to.include({ queueNumber: 7, status: 'committed' });
    expect(story.requests[1].outcome.code).to.equal('ENROLLED');

    expect(story.enrollments).to.have.length(1);
    expect(story.enrollments[0].requestId).to.equal(ids.enrollRequest);

    expect(story.reservations).to.have.length(1);
    const [r] = story.reservations;
    expect(r).to.include({ id: ids.reservation, status: 'paid', amountCents: 10_000 });
    expect(r.seats.map((s: { seatId: number }) => s.seatId)).to.deep.equal(ids.seats);
    expect(r.payments).to.have.length(1);
    expect(r.payments[0]).to.include({ status: 'succeeded', amountCents: 10_000, provider: 'sim' });

    expect(story.notifications).to.have.length(50);
    expect(story.notifications[0].code).to.equal('N54');

    const rooms = new Map<number, Record<string, unknown>>(
      story.rooms.map((p: { room: { id: number } }) => [p.room.id, p]),
    );
    expect([...rooms.keys()]).to.have.members([ids.regRoom, ids.saleRoom, ids.joinedOnlyRoom]);
    expect(rooms.get(ids.regRoom)).to.deep.include({
      ticket: 'p3',
      joinedAt: new Date(started).toISOString(),
      admittedAt: new Date(started + 1000).toISOString(),
      admissionExpiresAt: new Date(started + 601_000).toISOString(),
    });
    expect(rooms.get(ids.saleRoom)).to.deep.include({ ticket: null, joinedAt: null, admittedAt: null });
    expect(rooms.get(ids.joinedOnlyRoom)).to.deep.include({ ticket: 'q12', joinedAt: null });
  });
});
