import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Express } from 'express';
import type { Redis } from '../../../core/redis.js';
import jwt from 'jsonwebtoken';
import type { Knex } from 'knex';
import request from 'supertest';
import { decodeAdmissionToken } from '../../../core/admission/admission-token.js';
import { revokeAdmission } from '../../../core/admission/admission-revocations.js';
import { createDb } from '../../../core/db.js';
import { CommitQueues } from '../../../core/queues.js';
import { createRedis, waitForRedis } from '../../../core/redis.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
  type EnrollmentFixture,
} from '../../../test/support/catalog-fixture.js';
import {
  admissionFor,
  countRows,
  enrollmentHeaders,
  freshKey,
  commitJobOf,
  jobsInRoomQueue,
} from '../../../test/support/enrollment-submissions.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { buildApiApp } from '../app.js';

describe('POST /api/enrollments: what a submission must be before anything is recorded', function () {
  this.timeout(15_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let queues: CommitQueues;
  let app: Express;
  /** No submission to this fixture's room is ever accepted: its queue must stay empty. */
  let f: EnrollmentFixture;
  /** Another term, with its own room. */
  let other: EnrollmentFixture;
  let sectionA: number;
  let sectionB: number;
  let otherTermSection: number;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
    app = buildApiApp({ cfg, logger: testLogger, db, redis, queues });
    f = await createEnrollmentFixture(db);
    other = await createEnrollmentFixture(db);
    sectionA = (await createSection(db, f, { capacity: 10 })).sectionId;
    sectionB = (await createSection(db, f, { capacity: 10 })).sectionId;
    otherTermSection = (await createSection(db, other, { capacity: 10 })).sectionId;
  });
  after(async () => {
    await queues.close();
    await db.destroy();
    redis.disconnect();
  });

  const student = async () => (await createStudents(db, 1))[0] as number;

  /** A POST that is valid in every way the options don't change. `null` leaves a header out. */
  function submit(
    userId: number,
    opts: {
      body?: unknown;
      raw?: string;
      key?: string | null;
      admission?: string | null;
      auth?: string | null;
    } = {},
  ) {
    const headers = enrollmentHeaders(cfg, userId, f.roomId);
    let req = request(app).post('/api/enrollments');
    if (opts.auth !== null) req = req.set('authorization', opts.auth ?? headers.authorization!);
    if (opts.key !== null) req = req.set('idempotency-key', opts.key ?? headers['idempotency-key']!);
    if (opts.admission !== null)
      req = req.set('x-admission-token', opts.admission ?? headers['x-admission-token']!);
    if (opts.raw !== undefined) return req.set('content-type', 'application/json').send(opts.raw);
    return req.send(opts.body ?? { sectionIds: [sectionA] });
  }

  /** The refusal left no trace: no request row for the user, no job in any room involved. */
  async function expectNothingRecorded(userId: number, roomIds = [f.roomId]) {
    expect(await countRows(db, 'requests', { user_id: userId }), 'request rows').to.equal(0);
    for (const roomId of roomIds) {
      expect(await jobsInRoomQueue(queues, roomId), `jobs in room ${roomId}`).to.equal(0);
    }
  }

  async function expectRefused(
    res: request.Response,
    userId: number,
    status: number,
    code: string,
    roomIds?: number[],
  ) {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.body.error.code).to.equal(code);
    await expectNothingRecorded(userId, roomIds);
  }

  it('accepts a valid submission (the baseline the refusals below each break once)', async () => {
    // Against its own fixture, so `f`'s queue stays empty for the refusals.
    const g = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, g, { capacity: 5 });
    const userId = await student();
    const res = await request(app)
      .post('/api/enrollments')
      .set(enrollmentHeaders(cfg, userId, g.roomId))
      .send({ sectionIds: [sectionId] });
    expect(res.status).to.equal(202);
    expect(res.body).to.include({ created: true, status: 'queued' });
    expect(res.headers.location).to.equal(`/api/requests/${res.body.requestId}`);
    expect(await countRows(db, 'requests', { user_id: userId })).to.equal(1);
    const job = await commitJobOf(db, queues, res.body.requestId);
    expect(job?.data.requestIds).to.deep.equal([res.body.requestId]);
  });

  describe('the body', () => {
    it('refuses a body that is not JSON with 400 MALFORMED_JSON', async () => {
      const userId = await student();
      await expectRefused(await submit(userId, { raw: '{"sectionIds": [' }), userId, 400, 'MALFORMED_JSON');
    });

    it('refuses a JSON body that is not an object with 400 VALIDATION_FAILED', async () => {
      const userId = await student();
      await expectRefused(await submit(userId, { body: [sectionA] }), userId, 400, 'VALIDATION_FAILED');
    });

    it('refuses a missing or empty sectionIds with 400 VALIDATION_FAILED', async () => {
      const userId = await student();
      await expectRefused(await submit(userId, { body: {} }), userId, 400, 'VALIDATION_FAILED');
      const res = await submit(userId, { body: { sectionIds: [] } });
      await expectRefused(res, userId, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details.fields[0].path).to.equal('sectionIds');
    });

    it('refuses more than 10 sections with 400 VALIDATION_FAILED', async () => {
      const userId = await student();
      const sectionIds = Array.from({ length: 11 }, (_, i) => sectionA + i);
      await expectRefused(await submit(userId, { body: { sectionIds } }), userId, 400, 'VALIDATION_FAILED');
    });

    for (const bad of [1.5, '12', -3, 0, null, 1e300]) {
      it(`refuses a section id that is not a positive integer (${JSON.stringify(bad)}) with 400`, async () => {
        const userId = await student();
        const res = await submit(userId, { body: { sectionIds: [sectionA, bad] } });
        await expectRefused(res, userId, 400, 'VALIDATION_FAILED');
        expect(res.body.error.details.fields[0].path).to.equal('sectionIds.1');
      });
    }

    it('refuses a field it does not know with 400 VALIDATION_FAILED', async () => {
      const userId = await student();
      const res = await submit(userId, { body: { sectionIds: [sectionA], priority: 'high' } });
      await expectRefused(res, userId, 400, 'VALIDATION_FAILED');
    });

    it('refuses a section that does not exist with 422 UNKNOWN_SECTION naming it', async () => {
      const userId = await student();
      const missing = sectionB + 1_000_000;
      const res = await submit(userId, { body: { sectionIds: [sectionA, missing] } });
      await expectRefused(res, userId, 422, 'UNKNOWN_SECTION');
      expect(res.body.error.details).to.deep.equal({ sectionIds: [missing] });
    });

    it('refuses a section listed twice with 422 DUPLICATE_SECTION', async () => {
      const userId = await student();
      const res = await submit(userId, { body: { sectionIds: [sectionA, sectionB, sectionA] } });
      await expectRefused(res, userId, 422, 'DUPLICATE_SECTION');
    });

    it('refuses sections of two terms in one request with 422 MIXED_TERMS', async () => {
      const userId = await student();
      const res = await submit(userId, { body: { sectionIds: [sectionA, otherTermSection] } });
      await expectRefused(res, userId, 422, 'MIXED_TERMS', [f.roomId, other.roomId]);
    });
  });

  describe('the Idempotency-Key', () => {
    it('refuses a submission without one with 400 IDEMPOTENCY_KEY_REQUIRED', async () => {
      const userId = await student();
      await expectRefused(await submit(userId, { key: null }), userId, 400, 'IDEMPOTENCY_KEY_REQUIRED');
    });

    for (const [why, key] of [
      ['too short', 'abc1234'],
      ['too long', 'k'.repeat(129)],
      ['with a space', 'key with spaces'],
      ['with a slash', 'key/with/slash'],
    ] as const) {
      it(`refuses a malformed key (${why}) with 400 IDEMPOTENCY_KEY_INVALID`, async () => {
        const userId = await student();
        await expectRefused(await submit(userId, { key }), userId, 400, 'IDEMPOTENCY_KEY_INVALID');
      });
    }
  });

  describe('the admission', () => {
    it('refuses a submission without X-Admission-Token with 401 ADMISSION_REQUIRED', async () => {
      const userId = await student();
      await expectRefused(await submit(userId, { admission: null }), userId, 401, 'ADMISSION_REQUIRED');
    });

    it('refuses an expired admission with 401 ADMISSION_EXPIRED', async () => {
      const userId = await student();
      const admission = admissionFor(cfg, userId, f.roomId, { ttlS: 1 });
      // jsonwebtoken counts whole seconds: wait until the token's `exp` second has begun.
      const exp = (jwt.decode(admission) as { exp: number }).exp;
      await sleep(Math.max(0, exp * 1000 - Date.now()) + 50);
      expect(() => decodeAdmissionToken(cfg.admission, admission)).to.throw('expired');
      await expectRefused(await submit(userId, { admission }), userId, 401, 'ADMISSION_EXPIRED');
    });

    it("refuses an admission to another term's room with 403 ADMISSION_OTHER_ROOM", async () => {
      const userId = await student();
      const admission = admissionFor(cfg, userId, other.roomId);
      const res = await submit(userId, { admission });
      await expectRefused(res, userId, 403, 'ADMISSION_OTHER_ROOM', [f.roomId, other.roomId]);
    });

    it("refuses someone else's admission with 403 ADMISSION_OTHER_USER", async () => {
      const [userId, friend] = (await createStudents(db, 2)) as [number, number];
      const admission = admissionFor(cfg, friend, f.roomId);
      await expectRefused(await submit(userId, { admission }), userId, 403, 'ADMISSION_OTHER_USER');
      await expectNothingRecorded(friend);
    });

    it('refuses a forged or garbled admission with 401 ADMISSION_INVALID', async () => {
      const userId = await student();
      const real = admissionFor(cfg, userId, f.roomId);
      const tampered = `${real.slice(0, -4)}AAAA`;
      await expectRefused(await submit(userId, { admission: tampered }), userId, 401, 'ADMISSION_INVALID');
      // An access token is signed by the same deployment but is no admission.
      const access = tokenFor(cfg, userId);
      await expectRefused(await submit(userId, { admission: access }), userId, 401, 'ADMISSION_INVALID');
    });

    it('refuses an admission an operator revoked with 403 ADMISSION_REVOKED', async () => {
      const userId = await student();
      const admission = admissionFor(cfg, userId, f.roomId);
      const claims = decodeAdmissionToken(cfg.admission, admission);
      await revokeAdmission(redis, cfg.redis.prefix, f.roomId, claims.jti, claims.expiresAt.getTime());
      await expectRefused(await submit(userId, { admission }), userId, 403, 'ADMISSION_REVOKED');
    });
  });

  describe('the access token', () => {
    it('refuses a submission without an access token with 401', async () => {
      const userId = await student();
      const res = await submit(userId, { auth: null });
      await expectRefused(res, userId, 401, 'UNAUTHENTICATED');
    });

    it('refuses a submission with a bad access token with 401 TOKEN_INVALID', async () => {
      const userId = await student();
      const res = await submit(userId, { auth: 'Bearer not.a.token' });
      await expectRefused(res, userId, 401, 'TOKEN_INVALID');
    });
  });
});

describe('POST /api/enrollments: idempotency and reading requests back', function () {
  this.timeout(15_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let queues: CommitQueues;
  let app: Express;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
    app = buildApiApp({ cfg, logger: testLogger, db, redis, queues });
  });
  after(async () => {
    await queues.close();
    await db.destroy();
    redis.disconnect();
  });

  /** A fresh term and room, so the room's queue holds only this test's jobs. */
  async function world() {
    const f = await createEnrollmentFixture(db);
    const a = (await createSection(db, f, { capacity: 10 })).sectionId;
    const b = (await createSection(db, f, { capacity: 10 })).sectionId;
    const [userId, otherUser] = (await createStudents(db, 2)) as [number, number];
    return { f, a, b, userId, otherUser };
  }

  const post = (f: EnrollmentFixture, userId: number, key: string, body: unknown) =>
    request(app)
      .post('/api/enrollments')
      .set(enrollmentHeaders(cfg, userId, f.roomId, { key }))
      .send(body as object);

  const get = (userId: number, path: string) =>
    request(app)
      .get(path)
      .set('authorization', `Bearer ${tokenFor(cfg, userId)}`);

  it('returns the same request for the same key twice (created: false) and enqueues one job', async () => {
    const { f, a, userId } = await world();
    const key = freshKey();
    const first = await post(f, userId, key, { sectionIds: [a] });
    const again = await post(f, userId, key, { sectionIds: [a] });
    expect(first.status).to.equal(202);
    expect(again.status).to.equal(202);
    expect(first.body.created).to.equal(true);
    expect(again.body.created).to.equal(false);
    expect(again.body.requestId).to.equal(first.body.requestId);
    expect(again.body.request).to.deep.equal(first.body.request);
    expect(await countRows(db, 'requests', { user_id: userId })).to.equal(1);
    expect(await jobsInRoomQueue(queues, f.roomId)).to.equal(1);
    const job = await commitJobOf(db, queues, first.body.requestId);
    expect(job?.data).to.deep.include({ requestIds: [first.body.requestId] });
    // Each request's id for the logs travels with it (issue 14): one per request, in the same order.
    expect((job?.data as { reqIds?: string[] }).reqIds).to.have.length(1);
  });

  it('records one request and one job when the same key arrives many times at once (double clicks)', async () => {
    const { f, a, userId } = await world();
    const key = freshKey();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => post(f, userId, key, { sectionIds: [a] })),
    );
    expect(responses.map((r) => r.status)).to.deep.equal(Array(8).fill(202));
    expect(new Set(responses.map((r) => r.body.requestId as number)).size).to.equal(1);
    expect(responses.filter((r) => r.body.created === true)).to.have.length(1);
    expect(await countRows(db, 'requests', { user_id: userId })).to.equal(1);
    expect(await jobsInRoomQueue(queues, f.roomId)).to.equal(1);
  });

  it('refuses the same key with a different body with 409 IDEMPOTENCY_KEY_REUSED, and keeps the first', async () => {
    const { f, a, b, userId } = await world();
    const key = freshKey();
    const first = await post(f, userId, key, { sectionIds: [a] });
    const reused = await post(f, userId, key, { sectionIds: [b] });
    expect(reused.status).to.equal(409);
    expect(reused.body.error.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    expect(reused.body.error.details).to.deep.equal({ requestId: first.body.requestId });
    expect(await countRows(db, 'requests', { user_id: userId })).to.equal(1);
    expect(await jobsInRoomQueue(queues, f.roomId)).to.equal(1);
    const stored = await get(userId, `/api/requests/${first.body.requestId}`);
    expect(stored.body.payload).to.deep.equal({ sectionIds: [a] });
  });

  it("keeps two users' requests apart even when they pick the same key", async () => {
    const { f, a, userId, otherUser } = await world();
    const key = freshKey();
    const mine = await post(f, userId, key, { sectionIds: [a] });
    const theirs = await post(f, otherUser, key, { sectionIds: [a] });
    expect(mine.body.created).to.equal(true);
    expect(theirs.body.created).to.equal(true);
    expect(theirs.body.requestId).to.not.equal(mine.body.requestId);
    expect(await jobsInRoomQueue(queues, f.roomId)).to.equal(2);
  });

  it('shows a request to its owner and answers 404 to anyone else', async () => {
    const { f, a, userId, otherUser } = await world();
    const { body } = await post(f, userId, freshKey(), { sectionIds: [a] });
    const mine = await get(userId, `/api/requests/${body.requestId}`);
    expect(mine.status).to.equal(200);
    expect(mine.body).to.include({
      id: body.requestId,
      kind: 'enrollment',
      status: 'queued',
      roomId: f.roomId,
    });
    expect(mine.body.outcome).to.equal(null);
    const theirs = await get(otherUser, `/api/requests/${body.requestId}`);
    expect(theirs.status).to.equal(404);
    expect(theirs.body.error.code).to.equal('REQUEST_NOT_FOUND');
    // The same answer as for an id that does not exist, so ids can't be probed.
    const none = await get(otherUser, `/api/requests/${Number(body.requestId) + 1_000_000}`);
    expect(none.status).to.equal(404);
    expect(none.body.error.code).to.equal('REQUEST_NOT_FOUND');
    expect((await get(userId, '/api/requests/abc')).status).to.equal(400);
    expect((await request(app).get(`/api/requests/${body.requestId}`)).status).to.equal(401);
  });

  it('lists my requests newest first, a page at a time', async () => {
    const { f, a, b, userId, otherUser } = await world();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(f, userId, freshKey(), { sectionIds: [i % 2 ? a : b] });
      expect(res.status).to.equal(202);
      ids.push(res.body.requestId);
    }
    await post(f, otherUser, freshKey(), { sectionIds: [a] });
    const newestFirst = [...ids].reverse();

    const pages: number[][] = [];
    let next: string | null = '?limit=2';
    while (next) {
      const res = await get(userId, `/api/me/requests${next}`);
      expect(res.status).to.equal(200);
      pages.push(res.body.requests.map((r: { id: number }) => r.id));
      next = res.body.next;
      expect(pages.length).to.be.below(5);
    }
    expect(pages).to.deep.equal([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);

    const all = await get(userId, '/api/me/requests');
    expect(all.body.requests.map((r: { id: number }) => r.id)).to.deep.equal(newestFirst);
    expect(all.body.next).to.equal(null);
    expect(all.body.requests[0]).to.include({ kind: 'enrollment', status: 'queued' });
    expect((await get(userId, '/api/me/requests?limit=0')).status).to.equal(400);
    expect((await get(userId, '/api/me/requests?limit=101')).status).to.equal(400);
  });
});
