import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../core/db.js';
import { createRedis, waitForRedis, type Redis } from '../core/redis.js';
import { RoomQueue } from '../waiting-room/src/queue/room-queue.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { mapConcurrent, tokenFor } from './support/tokens.js';
import { testConfig } from './support/test-config.js';
import { createTestRoom } from './support/waiting-room-harness.js';

interface Health {
  admission: { leading: number[] };
}

/**
 * Per-room admission leadership across real waiting-room processes (ADR 024): the rooms spread over the
 * processes, never two leaders for a room, and a killed process's rooms move to the others.
 */
describe('admission leadership over three waiting-room processes', function () {
  this.timeout(180_000);
  const cfg = testConfig();
  const ROOMS = 30;
  const PER_ROOM = 8;
  let db: Knex;
  let redis: Redis;
  let procs: AppProcess[] = [];
  let roomIds: number[] = [];
  const env = { ADMISSION_TICK_MS: '200', ROOM_SYNC_MS: '300' };

  /**
   * Which rooms each live process leads, asked of all at once. Every room in the run's database counts, not
   * only this test's: the fleet shares out all of them (earlier test files leave rooms behind), so a process
   * whose share is filled by older rooms may lead none of ours.
   */
  const leadership = async (ps: AppProcess[]) =>
    Promise.all(
      ps.map(async (p) => {
        const h = (await (await fetch(`${p.url}/healthz`)).json()) as Health;
        return h.admission.leading;
      }),
    );
  const ledOfOurs = (sample: number[][]) => new Set(sample.flat().filter((id) => roomIds.includes(id)));
  /** Rooms listed by more than one process in one sample. */
  const doubled = (sample: number[][]) => {
    const seen = new Map<number, number>();
    for (const ids of sample) for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  };

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    procs = await Promise.all([0, 1, 2].map(() => startAppProcess('waiting-room', env)));
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    if (roomIds.length > 0) await db('waiting_rooms').whereIn('id', roomIds).delete();
    await db.destroy();
    redis.disconnect();
  });

  it('spreads 30 rooms over the processes, one leader each, and hands a killed one’s rooms over', async () => {
    // 60/min: a room lets one person in a second, so admission is still going on when a process dies.
    roomIds = [];
    for (let i = 0; i < ROOMS; i++)
      roomIds.push(await createTestRoom(db, { ratePerMin: 60, maxActive: 1_000 }));
    const joins = roomIds.flatMap((roomId, r) =>
      Array.from({ length: PER_ROOM }, (_, j) => ({ roomId, userId: 93_000 + r * PER_ROOM + j })),
    );
    await mapConcurrent(joins, 20, async ({ roomId, userId }, i) => {
      const res = await fetch(`${procs[i % 3]!.url}/rooms/${roomId}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
        body: JSON.stringify({ clientRequestId: `fleet-${userId}` }),
      });
      expect(res.status).to.equal(201);
    });

    // Every room finds a leader; every process leads some. Both take a few passes: a process that joins
    // the fleet after the others have taken every room waits for them to hand over its share.
    let sample: number[][];
    const deadline = Date.now() + 30_000;
    do {
      await sleep(200);
      sample = await leadership(procs);
    } while (
      (ledOfOurs(sample).size < ROOMS || sample.some((ids) => ids.length === 0)) &&
      Date.now() < deadline
    );
    expect(ledOfOurs(sample).size, 'every room has a leader').to.equal(ROOMS);
    for (const ids of sample) expect(ids.length, 'each process leads some rooms').to.be.greaterThan(0);

    // A few seconds of samples: never two leaders for one room.
    for (let i = 0; i < 15; i++) {
      expect(doubled(await leadership(procs)), 'rooms with two leaders').to.deep.equal([]);
      await sleep(200);
    }

    // Kill the process leading the most rooms, mid-admission.
    sample = await leadership(procs);
    const most = Math.max(...sample.map((s) => s.length));
    const victim = sample.findIndex((s) => s.length === most);
    const orphaned = sample[victim]!;
    expect(orphaned.length).to.be.greaterThan(0);
    await procs[victim]!.kill();
    const survivors = procs.filter((_, i) => i !== victim);
    const killedAt = Date.now();
    let uncovered = orphaned;
    // The lease lasts 3 s; 20 s is a bound a busy machine keeps.
    while (Date.now() - killedAt < 20_000) {
      const s = await leadership(survivors);
      expect(doubled(s), 'rooms with two leaders after the kill').to.deep.equal([]);
      const led = new Set(s.flat());
      uncovered = [...orphaned, ...roomIds].filter((id) => !led.has(id));
      if (uncovered.length === 0) break;
      await sleep(200);
    }
    expect(uncovered, 'rooms without a leader after the kill').to.deep.equal([]);
    const after = await leadership(survivors);
    const total = new Set(after.flat()).size;
    for (const ids of after) expect(ids.length, 'the survivors share the rooms').to.be.within(1, total);

    // Everyone gets in, once: each room's counters agree with the number who joined.
    const queue = new RoomQueue(redis, cfg.redis.prefix);
    const admittedOf = (roomId: number) => redis.hlen(`${cfg.redis.prefix}:{r:${roomId}}:admitted`);
    const allIn = Date.now() + 60_000;
    for (const roomId of roomIds) {
      while ((await queue.figures(roomId)).serving < PER_ROOM && Date.now() < allIn) await sleep(250);
    }
    for (const roomId of roomIds) {
      const f = await queue.figures(roomId);
      expect(f.serving, `room ${roomId} serving`).to.equal(PER_ROOM);
      expect(f.admittedTotal, `room ${roomId} admissions`).to.equal(PER_ROOM);
      expect(await admittedOf(roomId), `room ${roomId} people admitted`).to.equal(PER_ROOM);
    }
  });
});
