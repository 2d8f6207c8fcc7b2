import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Redis } from '../core/redis.js';
import type { Knex } from 'knex';
import { createDb } from '../core/db.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import { parseJson } from '../core/requests/request-store.js';
import type { RequestOutcome } from '../core/requests/request-types.js';
import { buildApiApp } from '../api/src/app.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { createEnrollmentFixture, createSection, createStudents } from './support/catalog-fixture.js';
import { submitEnrollments } from './support/enrollment-submissions.js';
import { listenOnFreePort } from './support/listen.js';
import { LiveClient } from './support/live-client.js';
import { testLogger } from './support/silent-logger.js';
import { mapConcurrent, tokenFor } from './support/tokens.js';
import { testConfig } from './support/test-config.js';
import { startWaitingRoom, type RunningWaitingRoom } from './support/waiting-room-harness.js';

/** The items of a stored outcome (JSON text on MariaDB). */
const outcomeItems = (v: unknown) => (parseJson(v) as RequestOutcome['details'] | null)?.items ?? [];

describe('2,000 students race for 40 seats through the whole path', function () {
  this.timeout(180_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let api: { server: Server; url: string };
  let wr: RunningWaitingRoom;
  let workers: AppProcess[] = [];
  const clients: LiveClient[] = [];

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    api = await listenOnFreePort(buildApiApp({ cfg, logger: testLogger, db, redis }));
    wr = await startWaitingRoom({ controller: false });
  });
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(workers.map((w) => w.kill()));
    await wr.stop();
    await new Promise((r) => api.server.close(r));
    await db.destroy();
    redis.disconnect();
  });

  it('enrolls exactly 40, rejects 1,960 with SECTION_FULL, ends every request, and tells every socket', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 40 });
    const students = await createStudents(db, 2_000);

    // Every student watches over socket.io, as the page does, before submitting.
    await mapConcurrent(students, 100, async (id) => {
      const c = new LiveClient(wr.url, tokenFor(cfg, id));
      clients.push(c);
      await c.connected(20_000);
    });

    workers = await Promise.all([
      startAppProcess('worker', { COMMIT_LOCK_MS: '5000' }),
      startAppProcess('worker', { COMMIT_LOCK_MS: '5000' }),
    ]);

    const requestIds = await submitEnrollments(api.url, cfg, f.roomId, students, () => [sectionId]);
    expect(new Set(requestIds).size).to.equal(2_000);

    let queued = Infinity;
    for (let i = 0; i < 600 && queued > 0; i++) {
      await sleep(100);
      const [row] = await db('requests')
        .whereIn('id', requestIds)
        .andWhere('status', 'queued')
        .count<{ n: number }[]>('* as n');
      queued = Number(row?.n);
    }
    expect(queued, 'requests still queued').to.equal(0);

    const enrolled = await db('enrollments')
      .where({ section_id: sectionId })
      .count<{ n: number }[]>('* as n');
    const section = await db('sections').where({ id: sectionId }).first<{ enrolled: number }>('enrolled');
    expect(Number(enrolled[0]?.n)).to.equal(40);
    expect(section?.enrolled).to.equal(40);
    const outcomes = await db('requests')
      .whereIn('id', requestIds)
      .groupBy('status', 'outcome_code')
      .select<{ status: string; outcome_code: string; n: number }[]>(
        'status',
        'outcome_code',
        db.raw('COUNT(*) AS n'),
      );
    expect(outcomes.map((o) => ({ ...o, n: Number(o.n) }))).to.have.deep.members([
      { status: 'committed', outcome_code: 'ENROLLED', n: 40 },
      { status: 'rejected', outcome_code: 'SECTION_FULL', n: 1_960 },
    ]);
    // Each outcome names its own enrollment row (the ids come from the batch's INSERT, not a read-back).
    const rows = await db('enrollments')
      .where({ section_id: sectionId })
      .select<{ id: number; request_id: number }[]>('id', 'request_id');
    const told = await db('requests')
      .whereIn('id', requestIds)
      .andWhere('status', 'committed')
      .select<{ id: number; outcome: unknown }[]>('id', 'outcome');
    expect(
      told.map((r) => ({ id: r.id, enrollmentId: outcomeItems(r.outcome)[0]?.enrollmentId })),
    ).to.have.deep.members(rows.map((e) => ({ id: e.request_id, enrollmentId: e.id })));

    // Every socket heard its own request's outcome (pushed by a worker process through Redis).
    const deadline = Date.now() + 10_000;
    const missing = () =>
      clients.filter((c, i) => !c.updates.some((u) => u.id === requestIds[i] && u.status !== 'queued'));
    while (missing().length > 0 && Date.now() < deadline) await sleep(100);
    expect(missing().length, 'sockets that never heard their outcome').to.equal(0);
    const full = clients.find((c, i) => c.updates.find((u) => u.id === requestIds[i])?.status === 'rejected');
    expect(full?.updates[0]?.outcome?.code).to.equal('SECTION_FULL');
  });
});
