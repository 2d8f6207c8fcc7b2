import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../core/db.js';
import { startGateway, type RunningGateway } from '../scripts/gateway/nginx-gateway.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { createEnrollmentFixture, createSection, createStudents } from './support/catalog-fixture.js';
import { expectSectionCountsMatchRows } from './support/enrollment-submissions.js';
import { outcomeCounts, waitForOutcomes } from './support/event-fixture.js';
import { LiveClient } from './support/live-client.js';
import { admissionOf, joinRoom, submitEnrollment } from './support/room-crowd.js';
import { testConfig } from './support/test-config.js';
import { mapConcurrent, tokenFor } from './support/tokens.js';
import { freePort } from './support/web-stack.js';

/** A worker's `periodic run` log lines (core/process/periodic-task.ts): which task ran which interval. */
function periodicRuns(p: AppProcess): { task: string; interval: number }[] {
  return p.logs.flatMap((line) => {
    if (!line.includes('"periodic run"')) return [];
    const { task, interval } = JSON.parse(line) as { task: string; interval: number };
    return [{ task, interval }];
  });
}

/**
 * Issue 15's one machine, many processes (ADR 024): two of each app behind the one gateway address, as
 * `npm start -- --scale api=2,waiting-room=2,worker=2` runs them. A crowd goes through a registration room.
 */
describe('two api, two waiting-room and two worker processes behind one gateway', function () {
  this.timeout(240_000);
  const cfg = testConfig();
  const CROWD = 150;
  const SEATS = 40;
  const SWEEP_MS = 500;
  let db: Knex;
  let apps: AppProcess[] = [];
  let gateway: RunningGateway | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'rushline-fleet-gateway-'));
  const clients: LiveClient[] = [];

  before(async () => {
    db = createDb(cfg);
    const env = {
      API_PUBLIC_URL: '',
      ROOM_SYNC_MS: '200',
      TRUST_PROXY: 'loopback',
      OUTBOX_SWEEP_MS: String(SWEEP_MS),
    };
    apps = await Promise.all(
      (['api', 'api', 'waiting-room', 'waiting-room', 'worker', 'worker'] as const).map((name) =>
        startAppProcess(name, env),
      ),
    );
    const of = (name: string) => apps.filter((a) => a.name === name).map((a) => `127.0.0.1:${a.port}`);
    gateway = await startGateway({
      dir,
      host: '127.0.0.1',
      port: await freePort(),
      apiUpstream: of('api'),
      waitingRoomUpstream: of('waiting-room'),
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await gateway?.stop();
    await Promise.all(apps.map((a) => a.stop()));
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes every request to an outcome, sells no seat twice, and sweeps once per interval', async () => {
    const url = gateway!.url;
    const fixture = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, fixture, { capacity: SEATS });
    // Nobody asks for this one, so the room is never sold out and admits everyone who joined.
    await createSection(db, fixture, { capacity: 100 });
    const students = await createStudents(db, CROWD);
    const sweepsFrom = Math.round(Date.now() / SWEEP_MS);

    // Some watch the room through the gateway: their sockets land on either waiting-room process, and
    // whichever leads the room reaches them through the Redis adapter.
    for (const id of students.slice(0, 8)) {
      const c = new LiveClient(url, tokenFor(cfg, id));
      clients.push(c);
      await c.connected();
      await c.watch(fixture.roomId);
    }
    await joinRoom(url, cfg, fixture.roomId, students);
    const requestIds = await mapConcurrent(students, 20, async (id) => {
      const token = await admissionOf(url, cfg, fixture.roomId, id);
      const res = await submitEnrollment(url, cfg, id, token, [sectionId]);
      expect(res.status, `enrollment of ${id}`).to.equal(202);
      return ((await res.json()) as { requestId: number }).requestId;
    });

    // Every request terminal; SEATS got the section; the counter matches the rows.
    await waitForOutcomes(db, requestIds, 120_000);
    expect(await outcomeCounts(db, requestIds)).to.deep.equal({
      committed: SEATS,
      rejected: CROWD - SEATS,
    });
    await expectSectionCountsMatchRows(db, [sectionId]);
    const perStudent = await db('enrollments')
      .where({ section_id: sectionId })
      .groupBy('user_id')
      .havingRaw('count(*) > 1')
      .select('user_id');
    expect(perStudent, 'students enrolled twice').to.deep.equal([]);
    for (const c of clients) expect(c.admitted, 'one admission per watcher').to.have.length(1);

    // Both processes of each kind took part: the gateway spread the requests, the fleet the sweeps.
    const served = await Promise.all(
      apps
        .filter((a) => a.name === 'api')
        .map(async (a) =>
          (await (await fetch(`${a.url}/metrics`)).text())
            .split('\n')
            .filter((l) => l.startsWith('rushline_http_requests_total{') && l.includes('enrollments"'))
            .filter((l) => l.includes('status="202"'))
            .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0),
        ),
    );
    expect(
      served.every((n) => n > 0),
      `each api answered enrollments: ${served.join(', ')}`,
    ).to.equal(true);

    const workers = apps.filter((a) => a.name === 'worker');
    const sweepsTo = Math.round(Date.now() / SWEEP_MS);
    for (const task of ['outbox sweep', 'reservation sweep']) {
      const runs = workers.flatMap((w) =>
        periodicRuns(w)
          .filter((r) => r.task === task && r.interval >= sweepsFrom && r.interval < sweepsTo)
          .map((r) => r.interval),
      );
      expect(new Set(runs).size, `${task}: no interval ran twice`).to.equal(runs.length);
      // Nearly every interval ran somewhere (a busy machine's late timer may lose a few).
      expect(runs.length, `${task}: runs over ${sweepsTo - sweepsFrom} intervals`).to.be.at.least(
        Math.floor((sweepsTo - sweepsFrom) / 2),
      );
    }
  });
});
