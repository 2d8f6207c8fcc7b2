import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { expect } from 'chai';
import type { Redis } from '../core/redis.js';
import type { Knex } from 'knex';
import { createDb } from '../core/db.js';
import { commitQueueName } from '../core/queues.js';
import { redisKeys } from '../core/redis-keys.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import { buildApiApp } from '../api/src/app.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { createEnrollmentFixture, createSection, createStudents } from './support/catalog-fixture.js';
import { submitEnrollments } from './support/enrollment-submissions.js';
import { listenOnFreePort } from './support/listen.js';
import { testLogger } from './support/silent-logger.js';
import { testConfig } from './support/test-config.js';

const countOf = async (q: Knex.QueryBuilder) => Number((await q.count<{ n: number }[]>('* as n'))[0]?.n);

describe('worker processes that stop mid-run', function () {
  this.timeout(180_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let api: { server: Server; url: string };
  const workers: AppProcess[] = [];

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    api = await listenOnFreePort(buildApiApp({ cfg, logger: testLogger, db, redis }));
  });
  // A worker left running would pick up the next test's room queue (it scans for rooms) and skew it.
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
  });
  after(async () => {
    await new Promise((r) => api.server.close(r));
    await db.destroy();
    redis.disconnect();
  });

  it('leaves, after a restart, every request terminal and no seat taken twice', async () => {
    const f = await createEnrollmentFixture(db);
    const sections: number[] = [];
    for (let i = 0; i < 40; i++)
      sections.push((await createSection(db, f, { capacity: 50, credits: 1 })).sectionId);
    const students = await createStudents(db, 4_000, { creditLimit: 30 });

    // Two sections each: a hot one everybody wants (the first), and one of the others.
    const requestIds = await submitEnrollments(api.url, cfg, f.roomId, students, (i) => [
      sections[0]!,
      sections[1 + (i % 39)]!,
    ]);

    // Small batches and short job locks: the kill lands mid-run and the restart recovers quickly.
    const env = { COMMIT_LOCK_MS: '2000', COMMIT_BATCH_MAX: '20', COMMIT_CONCURRENCY: '40' };
    const victim = await startAppProcess('worker', env);
    workers.push(victim);
    const doneCount = () => countOf(db('requests').whereIn('id', requestIds).whereNot('status', 'queued'));
    let done = 0;
    while (done < 300) {
      await sleep(10);
      done = await doneCount();
    }
    await victim.kill();
    const atKill = await doneCount();
    expect(atKill, 'killed before the run finished').to.be.below(requestIds.length);

    workers.push(await startAppProcess('worker', env));
    let queued = Infinity;
    for (let i = 0; i < 900 && queued > 0; i++) {
      await sleep(100);
      queued = await countOf(db('requests').whereIn('id', requestIds).andWhere('status', 'queued'));
    }
    expect(queued, 'requests left queued after the restart').to.equal(0);

    for (const sectionId of sections) {
      const rows = await countOf(db('enrollments').where({ section_id: sectionId }));
      const s = await db('sections').where({ id: sectionId }).first<{ enrolled: number; capacity: number }>();
      expect(rows, `section ${sectionId}: count = rows`).to.equal(s?.enrolled);
      expect(rows).to.be.at.most(s?.capacity ?? 0);
    }
    // Each request's outcome matches what is in the tables: a committed item has exactly one enrollment.
    const committedItems = await db('requests')
      .whereIn('id', requestIds)
      .whereIn('status', ['committed'])
      .select<{ id: number; outcome: unknown }[]>('id', 'outcome');
    const enrollmentsByRequest = await db('enrollments')
      .whereIn('request_id', requestIds)
      .groupBy('request_id')
      .select<{ request_id: number; n: number }[]>('request_id', db.raw('COUNT(*) AS n'));
    const rowsOf = new Map(enrollmentsByRequest.map((r) => [r.request_id, Number(r.n)]));
    for (const r of committedItems) {
      const details = (typeof r.outcome === 'string' ? JSON.parse(r.outcome) : r.outcome) as {
        items: { status: string }[];
      };
      expect(rowsOf.get(r.id) ?? 0, `request ${r.id}`).to.equal(
        details.items.filter((i) => i.status === 'committed').length,
      );
    }
    expect(await countOf(db('enrollments').whereIn('section_id', sections))).to.equal(
      [...rowsOf.values()].reduce((a, b) => a + b, 0),
    );
    expect(await countOf(db('enrollments').where({ section_id: sections[0]! }))).to.equal(50);
  });

  it('on SIGTERM finishes its active jobs, takes no more, and exits cleanly; nothing is lost', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 100, credits: 1 });
    const students = await createStudents(db, 1_500);
    const requestIds = await submitEnrollments(api.url, cfg, f.roomId, students, () => [sectionId]);
    const env = { COMMIT_BATCH_MAX: '10', COMMIT_CONCURRENCY: '20' };
    const worker = await startAppProcess('worker', env);
    workers.push(worker);
    const doneCount = () => countOf(db('requests').whereIn('id', requestIds).whereNot('status', 'queued'));
    while ((await doneCount()) < 100) await sleep(10);
    const code = await worker.stop();
    expect(code, 'clean exit').to.equal(0);
    const atStop = await doneCount();
    expect(atStop).to.be.below(requestIds.length);
    // Nothing was left half-done: no job is still marked active in its queue.
    const queue = new Queue(commitQueueName(f.roomId), {
      connection: redis,
      prefix: redisKeys(cfg.redis.prefix).commitQueuePrefix(f.roomId),
    });
    expect(await queue.getActiveCount()).to.equal(0);
    await queue.close();

    workers.push(await startAppProcess('worker', env));
    let queued = Infinity;
    for (let i = 0; i < 600 && queued > 0; i++) {
      await sleep(100);
      queued = await countOf(db('requests').whereIn('id', requestIds).andWhere('status', 'queued'));
    }
    expect(queued).to.equal(0);
    expect(await countOf(db('enrollments').where({ section_id: sectionId }))).to.equal(100);
  });
});
