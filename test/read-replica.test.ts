import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { buildApiApp } from '../api/src/app.js';
import { createDb } from '../core/db.js';
import { CommitQueues } from '../core/queues.js';
import { createRedis, waitForRedis, type Redis } from '../core/redis.js';
import { createEnrollmentFixture, createSection, createStudents } from './support/catalog-fixture.js';
import { countRows, enrollmentHeaders, freshKey } from './support/enrollment-submissions.js';
import { caughtUp, pauseApplier, replicaUrlForTests, resumeApplier, slaveStatus } from './support/replica.js';
import { forgetRooms } from './support/room-cleanup.js';
import { testLogger } from './support/silent-logger.js';
import { testConfig } from './support/test-config.js';
import { createTestRoom, startWaitingRoom, type RunningWaitingRoom } from './support/waiting-room-harness.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `scripts/services.ts --replica` as scripts/test.sh runs it, on the run's settings. */
function servicesWithReplica(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/services.ts', '--replica'],
      { cwd: repoRoot, env: process.env, timeout: 50_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * ADR 022: with a read replica, the catalogue and the public room list are read there, and nothing that
 * must see its own writes is. The replica's applier is paused to make its lag as large as it gets: a read
 * that went to the replica would then miss every write since the pause.
 */
describe('read replica (DATABASE_READ_URL)', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  let db: Knex;
  let readDb: Knex;
  let redis: Redis;
  let queues: CommitQueues;
  /** Catalogue and room list on the replica, as main.ts wires them when DATABASE_READ_URL is set. */
  let api: Express;
  /** The same api without a replica: what the primary says. */
  let primaryApi: Express;
  let wr: RunningWaitingRoom | undefined;
  const rooms: number[] = [];

  before(async () => {
    // Fails here, naming how to start a replica, when the global setup found none (CI always has one).
    const readUrl = replicaUrlForTests();
    db = createDb(cfg);
    readDb = createDb(testConfig({ DATABASE_URL: readUrl }));
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
    api = buildApiApp({ cfg, logger: testLogger, db, readDb, redis, queues });
    primaryApi = buildApiApp({ cfg, logger: testLogger, db, redis, queues });
    wr = await startWaitingRoom({ readDb, controller: false });
  });

  afterEach(async () => {
    // Whatever a test did, the replica applies again and has caught up before the next one.
    if (readDb) {
      await resumeApplier(readDb);
      expect(await caughtUp(db, readDb)).to.equal(true);
    }
  });

  after(async () => {
    if (db && rooms.length > 0) await forgetRooms(db, queues, rooms);
    await wr?.stop();
    await queues?.close();
    await Promise.allSettled([db?.destroy(), readDb?.destroy()]);
    redis?.disconnect();
  });

  /** A registration world on the primary, already on the replica. */
  async function world() {
    const f = await createEnrollmentFixture(db);
    rooms.push(f.roomId);
    const { sectionId } = await createSection(db, f, { capacity: 50 });
    expect(await caughtUp(db, readDb), 'replica caught up').to.equal(true);
    return { f, sectionId };
  }

  const termName = async (app: Express, termId: number) => {
    const res = await request(app).get('/api/terms');
    expect(res.status).to.equal(200);
    return (res.body.terms as { id: number; name: string }[]).find((t) => t.id === termId)?.name;
  };

  it('serves the catalogue and the room list from the replica', async () => {
    const { f, sectionId } = await world();
    expect(await termName(api, f.termId)).to.equal(`Term ${f.tag}`);

    await pauseApplier(readDb);
    expect((await slaveStatus(readDb))?.Slave_SQL_Running).to.equal('No');
    await db('terms')
      .where({ id: f.termId })
      .update({ name: `Renamed ${f.tag}` });
    await db('sections').where({ id: sectionId }).update({ capacity: 7 });
    await db('waiting_rooms')
      .where({ id: f.roomId })
      .update({ name: `Renamed room ${f.tag}` });

    // The primary has the new values; the api's catalogue still shows the replica's old ones.
    expect(await termName(primaryApi, f.termId)).to.equal(`Renamed ${f.tag}`);
    expect(await termName(api, f.termId)).to.equal(`Term ${f.tag}`);
    const section = await request(api).get(`/api/sections/${sectionId}`);
    expect(section.status).to.equal(200);
    expect(section.body.capacity).to.equal(50);
    const room = await fetch(`${wr!.url}/rooms/${f.roomId}`);
    expect(room.status).to.equal(200);
    expect(((await room.json()) as { name: string }).name).to.equal(`Registration ${f.tag}`);
    // A room the replica has not seen yet (staff open its console right after creating it): from the primary.
    const created = await createTestRoom(db);
    rooms.push(created);
    const fresh = await fetch(`${wr!.url}/rooms/${created}`);
    expect(fresh.status, 'a room only the primary has').to.equal(200);
    expect(((await fresh.json()) as { id: number }).id).to.equal(created);
    expect((await fetch(`${wr!.url}/rooms/2000000000`)).status, 'a room nobody has').to.equal(404);

    // Once the replica applies again, it converges.
    await resumeApplier(readDb);
    expect(await caughtUp(db, readDb)).to.equal(true);
    expect(await termName(api, f.termId)).to.equal(`Renamed ${f.tag}`);
    expect((await request(api).get(`/api/sections/${sectionId}`)).body.capacity).to.equal(7);
    const list = (await (await fetch(`${wr!.url}/rooms`)).json()) as {
      rooms: { id: number; name: string }[];
    };
    expect(list.rooms.find((r) => r.id === f.roomId)?.name).to.equal(`Renamed room ${f.tag}`);
  });

  it('reads a request right after its 202, its idempotent replay and the backlog on the primary', async () => {
    const { f, sectionId } = await world();
    const students = await createStudents(db, 5);
    await pauseApplier(readDb);

    for (const userId of students) {
      const headers = enrollmentHeaders(cfg, userId, f.roomId, { key: freshKey() });
      const accepted = await request(api)
        .post('/api/enrollments')
        .set(headers)
        .send({ sectionIds: [sectionId] });
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(202);
      const requestId = accepted.body.requestId as number;

      // The status right after the 202: found, and what the 202 said.
      const status = await request(api)
        .get(`/api/requests/${requestId}`)
        .set('authorization', headers.authorization!);
      expect(status.status, JSON.stringify(status.body)).to.equal(200);
      expect(status.body).to.include({ id: requestId, status: 'queued' });

      // The same submission again: the idempotency lookup finds the first one.
      const replay = await request(api)
        .post('/api/enrollments')
        .set(headers)
        .send({ sectionIds: [sectionId] });
      expect(replay.status, JSON.stringify(replay.body)).to.equal(202);
      expect(replay.body).to.include({ requestId, created: false });
    }

    // The replica lagged all along: a read there would have found none of these requests.
    expect(await countRows(readDb, 'requests', { room_id: f.roomId })).to.equal(0);
    expect(await countRows(db, 'requests', { room_id: f.roomId })).to.equal(students.length);

    // Backpressure: the admission leader's tick reads the room's commit backlog on the primary.
    await wr!.room.controller.runOnce();
    const metrics = await (await fetch(`${wr!.url}/metrics`)).text();
    const backlog = new RegExp(
      `^rushline_commit_backlog\\{[^}]*room="${f.roomId}"[^}]*\\} (\\d+)$`,
      'm',
    ).exec(metrics);
    expect(backlog?.[1], 'rushline_commit_backlog of the room').to.equal(String(students.length));
  });

  it('services --replica leaves a replicating replica as it is, and restarts a paused applier', async () => {
    const again = await servicesWithReplica();
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/^✔ replica at 127\.0\.0\.1:\d+ replicates /m);
    expect(again.stdout).not.to.match(/seeding|starting MariaDB|restarting/);

    // A run that died with the applier paused: the next services run starts it again, without a new seed.
    await pauseApplier(readDb);
    const healed = await servicesWithReplica();
    expect(healed.code, healed.stderr).to.equal(0);
    expect(healed.stdout).to.match(/was stopped; starting replication/);
    expect(healed.stdout).not.to.match(/seeding/);
    expect((await slaveStatus(readDb))?.Slave_SQL_Running).to.equal('Yes');
  });
});
