import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Redis } from '../../core/redis.js';
import type { Knex } from 'knex';
import request from 'supertest';
import { buildApiApp } from '../../api/src/app.js';
import { createDb } from '../../core/db.js';
import { CommitQueues, holdExpiryJobId } from '../../core/queues.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
} from '../../test/support/catalog-fixture.js';
import { submitEnrollments } from '../../test/support/enrollment-submissions.js';
import { createSale, waitForOutcomes } from '../../test/support/event-fixture.js';
import { holdSeats } from '../../test/support/hold-seats.js';
import { listenOnFreePort } from '../../test/support/listen.js';
import { testLogger } from '../../test/support/silent-logger.js';
import { testConfig } from '../../test/support/test-config.js';
import { buildWorkerApp, type WorkerApp } from './app.js';
import { HoldExpiryQueue } from './reservations/hold-expiry-queue.js';

const DAY_MS = 86_400_000;

/**
 * The whole worker built by app.ts and run in this process against the run's MySQL and Redis: requests
 * submitted through the api (rows and commit jobs, as in production) come back decided.
 */
describe('the worker app, run in-process', function () {
  this.timeout(60_000);
  // The sweepers never run during these tests (their first run is a day away) and would find nothing of
  // other tests if they did: only the commit path is under test here.
  const cfg = testConfig({
    OUTBOX_SWEEP_MS: String(DAY_MS),
    OUTBOX_GRACE_MS: String(DAY_MS),
    HOLD_EXPIRY_GRACE_MS: String(DAY_MS),
  });
  let db: Knex;
  let redis: Redis;
  let connection: Redis;
  let queues: CommitQueues;
  let api: { server: Server; url: string };
  let worker: WorkerApp | undefined;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    connection = createRedis(cfg, 'blocking');
    await Promise.all([waitForRedis(redis), waitForRedis(connection)]);
    queues = new CommitQueues(redis, cfg.redis.prefix);
    api = await listenOnFreePort(buildApiApp({ cfg, logger: testLogger, db, redis, queues }));
  });
  // A worker left running would take the next test's jobs.
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  after(async () => {
    await new Promise((r) => api.server.close(r));
    await queues.close();
    await db.destroy();
    redis.disconnect();
    connection.disconnect();
  });

  async function startWorker(roomScanMs?: number): Promise<WorkerApp> {
    worker = buildWorkerApp({ cfg, logger: testLogger, db, redis, connection, roomScanMs });
    await worker.start();
    return worker;
  }

  it('commits enrollments submitted through the api, and reports them in its health', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 2 });
    const students = await createStudents(db, 3);
    const app = await startWorker();
    const ids = await submitEnrollments(api.url, cfg, f.roomId, students, () => [sectionId]);
    await waitForOutcomes(db, ids, 30_000);
    // Which of the three loses depends on how the submissions were batched: only the counts are sure.
    const codes = await db('requests').whereIn('id', ids).pluck<string[]>('outcome_code');
    expect(codes.sort()).to.deep.equal(['ENROLLED', 'ENROLLED', 'SECTION_FULL']);
    const health = await request(app.http).get('/healthz');
    expect(health.status).to.equal(200);
    const body = health.body as { service: string; commit: { committed: number; rejected: number } };
    expect(body.service).to.equal('worker');
    // At least these (jobs other tests left in their rooms' queues may be taken too).
    expect(body.commit.committed).to.be.at.least(2);
    expect(body.commit.rejected).to.be.at.least(1);
  });

  it('holds seats and schedules the hold’s expiry job (the committer it wires is the full one)', async () => {
    const sale = await createSale(db, { rows: 1, seatsPerRow: 4, holdTtlS: 600 });
    const [userId] = await createStudents(db, 1);
    await startWorker();
    const { reservationId } = await holdSeats(api.url, cfg, db, sale, userId!, ['A1', 'A2']);
    const holds = new HoldExpiryQueue(redis, cfg.redis.prefix);
    try {
      // Scheduled after the commit, so it may land a moment after the outcome is visible.
      let job = await holds.bull.getJob(holdExpiryJobId(reservationId));
      for (let i = 0; i < 50 && !job; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = await holds.bull.getJob(holdExpiryJobId(reservationId));
      }
      expect(job?.data).to.deep.equal({ reservationId });
      expect(await job?.getState()).to.equal('delayed');
      await job?.remove();
    } finally {
      await holds.close();
    }
  });

  it('picks up the commit queue of a room created after it started', async () => {
    await startWorker(100);
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 5 });
    const students = await createStudents(db, 2);
    const ids = await submitEnrollments(api.url, cfg, f.roomId, students, () => [sectionId]);
    await waitForOutcomes(db, ids, 30_000);
    expect(await db('requests').whereIn('id', ids).distinct().pluck('outcome_code')).to.deep.equal([
      'ENROLLED',
    ]);
  });

  it('closes twice without harm', async () => {
    const app = await startWorker();
    await Promise.all([app.close(), app.close()]);
    await app.close();
  });
});
