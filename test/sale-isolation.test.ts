import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Redis } from '../core/redis.js';
import type { Knex } from 'knex';
import { createDb } from '../core/db.js';
import { COMMIT_JOB_OPTIONS, CommitQueues } from '../core/queues.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { createEnrollmentFixture, createSection, createStudents } from './support/catalog-fixture.js';
import { testConfig } from './support/test-config.js';

/** Records n enrollment requests for one section in a room and enqueues them all at once. */
async function queueBurst(
  db: Knex,
  queues: CommitQueues,
  roomId: number,
  sectionId: number,
  users: number[],
): Promise<number[]> {
  const payload = JSON.stringify({ sectionIds: [sectionId] });
  for (let i = 0; i < users.length; i += 1_000) {
    await db('requests').insert(
      users.slice(i, i + 1_000).map((userId, k) => ({
        user_id: userId,
        room_id: roomId,
        idempotency_key: `burst-${roomId}-${i + k}`,
        kind: 'enrollment',
        payload,
        queue_number: i + k + 1,
        commit_job_id: `burst-${roomId}-${i + k}`,
      })),
    );
  }
  const rows = await db('requests')
    .where({ room_id: roomId })
    .orderBy('id')
    .select<{ id: number; commit_job_id: string }[]>('id', 'commit_job_id');
  // One job per request: the most jobs a burst can make (the api groups concurrent submissions).
  await queues.queue(roomId).addBulk(
    rows.map((r) => ({
      name: 'commit',
      data: { requestIds: [r.id] },
      opts: { ...COMMIT_JOB_OPTIONS, jobId: r.commit_job_id },
    })),
  );
  return rows.map((r) => r.id);
}

describe("one sale's burst", function () {
  this.timeout(120_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let queues: CommitQueues;
  let worker: AppProcess | undefined;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
  });
  after(async () => {
    await worker?.kill();
    await queues.close();
    await db.destroy();
    redis.disconnect();
  });

  it("does not delay another sale's requests: each sale has its own queue and worker", async () => {
    const busy = await createEnrollmentFixture(db);
    const quiet = await createEnrollmentFixture(db);
    const { sectionId: busySection } = await createSection(db, busy, { capacity: 10_000, credits: 1 });
    const { sectionId: quietSection } = await createSection(db, quiet, { capacity: 10, credits: 1 });
    const students = await createStudents(db, 6_001);
    // Small batches slow the busy queue down on purpose, so it is still draining when the quiet request lands.
    worker = await startAppProcess('worker', { COMMIT_BATCH_MAX: '20', COMMIT_CONCURRENCY: '40' });
    const burst = await queueBurst(db, queues, busy.roomId, busySection, students.slice(0, 6_000));
    // The quiet request lands once the worker is busy with the burst: when its first request is decided, not
    // after a fixed time, which a fast machine would spend draining the burst and a slow one not starting it.
    const decided = () =>
      db('requests').where({ room_id: busy.roomId }).whereNot('status', 'queued').first('id');
    for (let i = 0; i < 3_000 && !(await decided()); i++) await sleep(10);
    const [quietRequest] = await queueBurst(db, queues, quiet.roomId, quietSection, students.slice(6_000));
    let quietDoneAt: Date | null = null;
    for (let i = 0; i < 6_000 && !quietDoneAt; i++) {
      const row = await db('requests')
        .where({ id: quietRequest })
        .first<{ completed_at: Date | null }>('completed_at');
      quietDoneAt = row?.completed_at ?? null;
      if (!quietDoneAt) await sleep(10);
    }
    if (!quietDoneAt) throw new Error('the quiet sale was not served');
    const quietAt = quietDoneAt;
    // An order, read from the worker's own decision times: a shared queue would decide the quiet request,
    // queued after all 6,000, behind nearly all of them (at most a few batches in flight beside it).
    const [after] = await db('requests')
      .whereIn('id', burst)
      .andWhere((q) => q.whereNull('completed_at').orWhere('completed_at', '>', quietAt))
      .count<{ n: number }[]>('* as n');
    expect(Number(after?.n), 'burst requests decided after the quiet one').to.be.greaterThan(1_000);
  });
});
