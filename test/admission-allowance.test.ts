import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from '../core/redis.js';
import type { Knex } from 'knex';
import { buildApiApp } from '../api/src/app.js';
import { createDb } from '../core/db.js';
import { CommitQueues } from '../core/queues.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { toStatusView } from '../waiting-room/src/queue/status-view.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
  type EnrollmentFixture,
} from './support/catalog-fixture.js';
import { jobsInRoomQueue } from './support/enrollment-submissions.js';
import { createSale, waitForOutcomes, type SaleFixture } from './support/event-fixture.js';
import { listenOnFreePort } from './support/listen.js';
import { testLogger } from './support/silent-logger.js';
import { testConfig } from './support/test-config.js';
import { mapConcurrent, tokenFor } from './support/tokens.js';
import { createTestUser } from './support/users.js';
import { startWaitingRoom, type RunningWaitingRoom } from './support/waiting-room-harness.js';

/** ADR 015: an admission is an allowance for its own room, counted in Redis by the api. */
describe('an admission is an allowance for its own room', function () {
  this.timeout(120_000);
  const ALLOWANCE = 3;
  const cfg = testConfig({ ADMISSION_REQUEST_ALLOWANCE: String(ALLOWANCE) });
  let db: Knex;
  let redis: Redis;
  let queues: CommitQueues;
  let api: Awaited<ReturnType<typeof listenOnFreePort>>;
  let wr: RunningWaitingRoom;
  let staffId: number;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
    // No worker here: what is accepted stays in the room's commit queue, where it can be counted.
    api = await listenOnFreePort(buildApiApp({ cfg, logger: testLogger, db, redis, queues }));
    wr = await startWaitingRoom({
      controller: false,
      env: { ADMISSION_REQUEST_ALLOWANCE: String(ALLOWANCE), ROOM_SYNC_MS: '1' }, // rooms made by each test are ticked at once
    });
    staffId = (await createTestUser(db, 'staff')).id;
  });
  after(async () => {
    await wr?.stop();
    await new Promise((r) => api?.server.close(r));
    await queues?.close();
    await db?.destroy();
    redis?.disconnect();
  });

  const auth = (userId: number, role: 'student' | 'staff' = 'student') => ({
    'content-type': 'application/json',
    authorization: `Bearer ${tokenFor(cfg, userId, role)}`,
  });

  async function call(
    base: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
    };
  }

  const join = (roomId: number, userId: number) =>
    call(wr.url, 'POST', `/rooms/${roomId}/join`, auth(userId), { clientRequestId: `c-${randomUUID()}` });
  const act = (roomId: number, action: string) =>
    call(wr.url, 'POST', `/operator/rooms/${roomId}/actions/${action}`, auth(staffId, 'staff'));

  /** Joins and steps admission until this person is let in; returns their admission token. */
  async function admit(roomId: number, userId: number): Promise<string> {
    const joined = await join(roomId, userId);
    expect(joined.status, JSON.stringify(joined.body)).to.be.oneOf([200, 201]);
    for (let i = 0; i < 50; i++) {
      const view = toStatusView(roomId, (await wr.room.queue.status(roomId, userId))!);
      if (view.admissionToken) return view.admissionToken;
      await wr.room.controller.runOnce();
    }
    throw new Error(`user ${userId} was never admitted to room ${roomId}`);
  }

  const enroll = (userId: number, token: string, sectionIds: number[], key = `key-${randomUUID()}`) =>
    call(
      api.url,
      'POST',
      '/api/enrollments',
      { ...auth(userId), 'idempotency-key': key, 'x-admission-token': token },
      { sectionIds },
    );

  const activeMembers = (roomId: number) => redis.zrange(wr.room.queue.key(roomId, 'active'), '0', '-1');

  describe('registration', () => {
    let f: EnrollmentFixture;
    let sectionId: number;
    let otherSectionId: number;

    before(async () => {
      f = await createEnrollmentFixture(db, { grades: [2] });
      sectionId = (await createSection(db, f, { capacity: 100 })).sectionId;
      otherSectionId = (await createSection(db, f, { capacity: 100 })).sectionId;
    });

    it('accepts exactly the allowance of 50 fresh-key submissions, refuses the rest 409, and queues only those', async () => {
      const [student] = await createStudents(db, 1);
      const token = await admit(f.roomId, student!);
      expect(await activeMembers(f.roomId)).to.include(String(student));
      const jobsBefore = await jobsInRoomQueue(queues, f.roomId);

      const answers = await mapConcurrent(Array.from({ length: 50 }), 50, () =>
        enroll(student!, token, [sectionId]),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 202)).to.have.length(ALLOWANCE);
      expect(statuses.filter((s) => s === 409)).to.have.length(50 - ALLOWANCE);
      expect(new Set(answers.filter((a) => a.status === 409).map((a) => a.body.error?.code))).to.deep.equal(
        new Set(['ADMISSION_SPENT']),
      );

      const rows = await db('requests').where({ user_id: student, room_id: f.roomId }).pluck<number[]>('id');
      expect(rows).to.have.length(ALLOWANCE);
      expect(await jobsInRoomQueue(queues, f.roomId)).to.be.at.most(jobsBefore + ALLOWANCE);
      const queuedIds = new Set<number>();
      for (const job of await queues
        .queue(f.roomId)
        .getJobs(['waiting', 'prioritized', 'delayed', 'active'])) {
        for (const id of (job.data as { requestIds?: number[] }).requestIds ?? []) queuedIds.add(id);
      }
      for (const id of rows) expect(queuedIds.has(id), `request ${id} is in the backlog`).to.equal(true);

      // Spent: no longer active, and the token is gone from the room (the next person may come in).
      expect(await activeMembers(f.roomId)).to.not.include(String(student));
      expect(await redis.hexists(wr.room.queue.key(f.roomId, 'tokens'), String(student))).to.equal(0);
    });

    it('does not count a retry of an accepted request, nor a refused one, against the allowance', async () => {
      const [student] = await createStudents(db, 1);
      const token = await admit(f.roomId, student!);
      const key = `key-${randomUUID()}`;
      expect((await enroll(student!, token, [sectionId], key)).status).to.equal(202);
      for (let i = 0; i < 5; i++) {
        const again = await enroll(student!, token, [sectionId], key);
        expect(again.status).to.equal(202);
        expect(again.body.created).to.equal(false);
      }
      // Refused after the admission check (the same key with another cart: 409), which gives its unit back.
      const conflicting = await enroll(student!, token, [otherSectionId], key);
      expect(conflicting.status).to.equal(409);
      expect(conflicting.body.error?.code).to.not.equal('ADMISSION_SPENT');
      expect((await enroll(student!, token, [sectionId])).status).to.equal(202);
      expect((await enroll(student!, token, [sectionId])).status).to.equal(202);
      const spent = await enroll(student!, token, [sectionId]);
      expect(spent.status).to.equal(409);
      expect(spent.body.error?.code).to.equal('ADMISSION_SPENT');
      // A retry of an accepted request still gets its answer once the allowance is spent.
      expect((await enroll(student!, token, [sectionId], key)).status).to.equal(202);
    });

    it('keeps the person active when the unit that would have spent the admission is given back', async () => {
      const [student] = await createStudents(db, 1);
      const token = await admit(f.roomId, student!);
      const key = `key-${randomUUID()}`;
      expect((await enroll(student!, token, [sectionId], key)).status).to.equal(202);
      expect((await enroll(student!, token, [sectionId])).status).to.equal(202);
      // A retry takes the last unit (ending the admission) and, not being accepted, gives it back.
      expect((await enroll(student!, token, [sectionId], key)).body.created).to.equal(false);
      expect(await activeMembers(f.roomId)).to.include(String(student));
      expect(await redis.hget(wr.room.queue.key(f.roomId, 'tokens'), String(student))).to.equal(token);
      expect((await enroll(student!, token, [sectionId])).status).to.equal(202);
      expect(await activeMembers(f.roomId)).to.not.include(String(student));
    });

    it('takes the token the room recorded without its signature (ADR 018), and checks the signature of any other', async () => {
      const [student] = await createStudents(db, 1);
      const token = await admit(f.roomId, student!);
      const [head, body] = token.split('.') as [string, string];
      const forged = (fill: number) => `${head}.${body}.${Buffer.alloc(64, fill).toString('base64url')}`;
      // Not recorded, bad signature: refused as forged, nothing written.
      const refused = await enroll(student!, forged(1), [sectionId]);
      expect(refused.status).to.equal(401);
      expect(refused.body.error?.code).to.equal('ADMISSION_INVALID');
      // Recorded by the room (only the waiting room writes there): the very token is proof enough.
      await redis.hset(wr.room.queue.key(f.roomId, 'tokens'), String(student), forged(2));
      expect((await enroll(student!, forged(2), [sectionId])).status).to.equal(202);
      // The genuine token, no longer the one recorded, passes by its signature.
      expect((await enroll(student!, token, [sectionId])).status).to.equal(202);
      expect(await db('requests').where({ user_id: student }).count<{ n: number }[]>('* as n')).to.deep.equal(
        [{ n: 2 }],
      );
    });

    it('refuses a token that another room issued', async () => {
      const other = await createEnrollmentFixture(db, { grades: [2] });
      const [student] = await createStudents(db, 1);
      const token = await admit(other.roomId, student!);
      const res = await enroll(student!, token, [sectionId]);
      expect(res.status).to.equal(403);
      expect(res.body.error?.code).to.equal('ADMISSION_OTHER_ROOM');
      expect(await db('requests').where({ user_id: student }).count<{ n: number }[]>('* as n')).to.deep.equal(
        [{ n: 0 }],
      );
    });

    it('refuses submissions while the room is paused and takes them again after resume', async () => {
      const [student] = await createStudents(db, 1);
      const token = await admit(f.roomId, student!);
      expect((await act(f.roomId, 'pause')).status).to.equal(200);
      const paused = await enroll(student!, token, [sectionId]);
      expect(paused.status).to.equal(409);
      expect(paused.body.error?.code).to.equal('ROOM_PAUSED');
      expect((await act(f.roomId, 'resume')).status).to.equal(200);
      expect((await enroll(student!, token, [sectionId])).status).to.equal(202);
      // The paused attempt took nothing: the rest of the allowance is still there.
      expect((await enroll(student!, token, [sectionId])).status).to.equal(202);
      expect((await enroll(student!, token, [sectionId])).status).to.equal(202);
      expect((await enroll(student!, token, [sectionId])).status).to.equal(409);
    });

    it('refuses a token of a room that was closed', async () => {
      const closing = await createEnrollmentFixture(db, { grades: [2] });
      const section = (await createSection(db, closing, { capacity: 10 })).sectionId;
      const [student] = await createStudents(db, 1);
      const token = await admit(closing.roomId, student!);
      expect((await act(closing.roomId, 'close')).status).to.equal(200);
      const res = await enroll(student!, token, [section]);
      expect(res.status).to.equal(403);
      expect(res.body.error?.code).to.equal('ADMISSION_ROOM_CLOSED');
      expect(await jobsInRoomQueue(queues, closing.roomId)).to.equal(0);
    });

    it('refuses a student whose year is not in the window, 403, and takes no place', async () => {
      const [senior] = await createStudents(db, 1, { grade: 4 });
      const res = await join(f.roomId, senior!);
      expect(res.status).to.equal(403);
      expect(res.body.error?.code).to.equal('GRADE_NOT_IN_WINDOW');
      expect(await redis.hexists(wr.room.queue.key(f.roomId, 'users'), String(senior))).to.equal(0);
      const [sophomore] = await createStudents(db, 1, { grade: 2 });
      expect((await join(f.roomId, sophomore!)).status).to.equal(201);
    });

    it('lets someone whose admission lapsed unused join again, at the back; a used one keeps its place', async () => {
      const lapsing = await createEnrollmentFixture(db, { grades: [2] });
      const section = (await createSection(db, lapsing, { capacity: 10 })).sectionId;
      await db('waiting_rooms').where({ id: lapsing.roomId }).update({ token_ttl_s: 1 });
      const [idle, user, later] = await createStudents(db, 3);
      await admit(lapsing.roomId, idle!);
      const usedToken = await admit(lapsing.roomId, user!);
      expect((await enroll(user!, usedToken, [section])).status).to.equal(202);
      const first = (await join(lapsing.roomId, idle!)).body.queueNumber as number;
      await new Promise((r) => setTimeout(r, 1_100)); // both admissions expire (the room's 1 s tokens)
      const latecomer = await join(lapsing.roomId, later!);
      expect(latecomer.status).to.equal(201);

      const again = await join(lapsing.roomId, idle!);
      expect(again.status, 'a new place').to.equal(201);
      expect(again.body).to.include({ created: true, admitted: false });
      expect(again.body.queueNumber).to.be.greaterThan(latecomer.body.queueNumber as number);
      expect(again.body.queueNumber).to.not.equal(first);

      const used = await join(lapsing.roomId, user!);
      expect(used.status, 'the same place').to.equal(200);
      expect(used.body).to.include({ created: false, admitted: true });
    });
  });

  describe('sale', () => {
    let sale: SaleFixture;
    let worker: AppProcess;

    before(async () => {
      sale = await createSale(db, { rows: 1, seatsPerRow: 10 });
      worker = await startAppProcess('worker', { OUTBOX_SWEEP_MS: '250' });
    });
    after(() => worker?.stop());

    const reserve = (userId: number, token: string, seatLabels: string[]) =>
      call(
        api.url,
        'POST',
        '/api/reservations',
        { ...auth(userId), 'idempotency-key': `key-${randomUUID()}`, 'x-admission-token': token },
        { eventId: sale.eventId, seatLabels },
      );

    it('allows one live reservation at a time, its payment and its cancellation, then another', async () => {
      const [buyer] = await createStudents(db, 1);
      const token = await admit(sale.roomId, buyer!);
      const first = await reserve(buyer!, token, ['A1']);
      expect(first.status).to.equal(202);
      const second = await reserve(buyer!, token, ['A2']);
      expect(second.status).to.equal(409);
      expect(second.body.error?.code).to.equal('RESERVATION_ALREADY_LIVE');

      await waitForOutcomes(db, [first.body.requestId as number], 30_000);
      const held = await db('reservations')
        .where({ request_id: first.body.requestId })
        .first<{ id: number; status: string }>('id', 'status');
      expect(held?.status).to.equal('held');
      const stillLive = await reserve(buyer!, token, ['A3']);
      expect(stillLive.status).to.equal(409);
      expect(stillLive.body.error?.code).to.equal('RESERVATION_ALREADY_LIVE');

      const payHeaders = { ...auth(buyer!), 'idempotency-key': `pay-${randomUUID()}` };
      const paid = await call(api.url, 'POST', `/api/reservations/${held.id}/pay`, payHeaders, {});
      expect(paid.status).to.equal(200);
      const cancelled = await call(api.url, 'DELETE', `/api/reservations/${held.id}`, auth(buyer!));
      expect(cancelled.status).to.equal(200);
      expect((cancelled.body.reservation as { status: string }).status).to.equal('cancelled');

      // The live one is over: the admission allows another (its second accepted request of three).
      const next = await reserve(buyer!, token, ['A4']);
      expect(next.status).to.equal(202);
      const rows = await db('requests').where({ user_id: buyer, kind: 'reservation' }).pluck<number[]>('id');
      expect(rows).to.have.length(2);
    });
  });
});
