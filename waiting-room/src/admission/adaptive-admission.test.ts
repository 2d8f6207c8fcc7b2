import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { redisKeys } from '../../../core/redis-keys.js';
import { createStudents } from '../../../test/support/catalog-fixture.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../../test/support/waiting-room-harness.js';
import { testConfig } from '../../../test/support/test-config.js';
import { OperatorService } from '../rooms/operator-service.js';
import { roomSettings } from '../rooms/room-service.js';
import { findRoom } from '../rooms/room-store.js';
import { PaceStore } from './pace-store.js';

const CEILING = 6_000;
// Small targets so a handful of rows moves the pace; every room is re-read on each step (ROOM_SYNC_MS).
const ENV = {
  ADMISSION_PACE_BACKLOG: '5',
  ADMISSION_PACE_P99_MS: '1000',
  ADMISSION_PACE_FLOOR: '100',
  ADMISSION_PACE_STEP: '600',
  ROOM_SYNC_MS: '1',
};
/** Past the 2 s cut interval and the 2 s budget cap: each step after it may cut once and has a full burst. */
const PAST_CUT_INTERVAL_MS = 2_100;

describe('adaptive admission', function () {
  this.timeout(60_000);
  const cfg = testConfig(ENV);
  let wr: RunningWaitingRoom;
  let students: number[];
  let keyCounter = 0;

  before(async () => {
    wr = await startWaitingRoom({ env: ENV, controller: false });
    students = await createStudents(wr.db, 40);
  });
  after(() => wr.stop());

  const paceOf = async (w: RunningWaitingRoom, roomId: number) =>
    new PaceStore(w.redis, redisKeys(cfg.redis.prefix)).load(roomId);

  const openRoom = async (mode: 'adaptive' | 'fixed') => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: CEILING, maxActive: 100_000 });
    await wr.db('waiting_rooms').where({ id: roomId }).update({ admission_mode: mode });
    await wr.room.queue.configure(roomId, roomSettings((await findRoom(wr.db, roomId))!));
    for (let u = 1; u <= 2_000; u++) await wr.room.queue.join(roomId, roomId * 10_000 + u);
    return roomId;
  };

  /** n more of the room's requests waiting to commit (one job carries them all, ADR 008). */
  const queueRequests = async (roomId: number, n: number) => {
    const job = `pace-${roomId}-${++keyCounter}`;
    await wr.db('requests').insert(
      students.slice(0, n).map((userId, i) => ({
        user_id: userId,
        room_id: roomId,
        idempotency_key: `${job}-${i}`,
        kind: 'enrollment',
        payload: '{"sectionIds":[1]}',
        commit_job_id: job,
      })),
    );
  };
  const decideAll = (roomId: number) =>
    wr.db('requests').where({ room_id: roomId, status: 'queued' }).update({ status: 'rejected' });
  const serving = async (w: RunningWaitingRoom, roomId: number) =>
    (await w.room.queue.figures(roomId)).serving;

  describe('an adaptive room', () => {
    let roomId: number;

    before(async () => {
      roomId = await openRoom('adaptive');
    });

    it('starts at the operator’s rate and halves it at each step while the backlog grows past its target', async () => {
      await wr.room.controller.runOnce();
      expect(wr.room.controller.getStats().leader).to.equal(true);
      const rates = [(await paceOf(wr, roomId))?.ratePerMin];
      for (const more of [6, 4, 4]) {
        await queueRequests(roomId, more);
        await sleep(PAST_CUT_INTERVAL_MS);
        await wr.room.controller.runOnce();
        rates.push((await paceOf(wr, roomId))?.ratePerMin);
      }
      expect(rates).to.deep.equal([CEILING, CEILING / 2, CEILING / 4, CEILING / 8]);
    });

    it('admits at the effective rate, not the operator’s', async () => {
      // The last step set 750/min: the next plan's budget is capped at 2 s of it, 25 people.
      const before = await serving(wr, roomId);
      await sleep(PAST_CUT_INTERVAL_MS);
      await wr.room.controller.runOnce();
      expect((await serving(wr, roomId)) - before).to.equal(25);
    });

    it('shows the effective rate in the room’s figures', async () => {
      const ops = new OperatorService(wr.db, wr.redis, wr.room.queue, cfg, {
        message: () => undefined,
        revoked: () => undefined,
      });
      const stored = (await paceOf(wr, roomId))!.ratePerMin;
      const live = await ops.liveFigures(roomId);
      expect(live).to.include({ admissionMode: 'adaptive', admissionRatePerMin: CEILING });
      expect(live.effectiveRatePerMin).to.equal(Math.round(stored)).and.to.be.below(CEILING);
      expect((await ops.figures(roomId)).effectiveRatePerMin).to.equal(Math.round(stored));
    });

    it('cuts when the recent submit → outcome p99 is over its target, with no backlog', async () => {
      await decideAll(roomId);
      const before = (await paceOf(wr, roomId))!.ratePerMin;
      const now = Date.now();
      await wr.db('requests').insert(
        students.slice(0, 10).map((userId, i) => ({
          user_id: userId,
          room_id: roomId,
          idempotency_key: `slow-${roomId}-${i}`,
          kind: 'enrollment',
          payload: '{"sectionIds":[1]}',
          status: 'committed',
          commit_job_id: `slow-${roomId}`,
          created_at: new Date(now - 3_000),
          completed_at: new Date(now),
        })),
      );
      await sleep(PAST_CUT_INTERVAL_MS);
      await wr.room.controller.runOnce();
      expect((await paceOf(wr, roomId))!.ratePerMin).to.equal(Math.max(100, before / 2));
    });

    it('with an empty backlog grows back up to the operator’s rate, and not past it', async () => {
      // Past the 5 s window the slow outcomes of the previous test no longer count.
      await sleep(5_100);
      const rates: number[] = [];
      for (let i = 0; i < 200 && rates.filter((r) => r === CEILING).length < 5; i++) {
        await wr.room.controller.runOnce();
        rates.push((await paceOf(wr, roomId))!.ratePerMin);
        await sleep(100);
      }
      const rising = rates.slice(0, rates.indexOf(CEILING));
      expect(rising.length, 'it started below the ceiling').to.be.greaterThan(0);
      rising.forEach((r, i) => expect(r, `step ${i}`).to.be.greaterThan(i === 0 ? 0 : rising[i - 1]!));
      expect(rates.slice(rising.length)).to.deep.equal(new Array<number>(5).fill(CEILING));
    });
  });

  // Suites, not bare tests, so they run after the adaptive room's, in this order: the last one ends the lead.
  describe('a pinned room', () => {
    it('a pinned (fixed) room keeps the operator’s rate whatever the backlog', async () => {
      const roomId = await openRoom('fixed');
      // The first plan of a room only starts its budget's clock.
      await wr.room.controller.runOnce();
      const rates: (number | undefined)[] = [];
      for (const more of [0, 10, 10]) {
        if (more > 0) await queueRequests(roomId, more);
        await sleep(PAST_CUT_INTERVAL_MS);
        const before = await serving(wr, roomId);
        await wr.room.controller.runOnce();
        rates.push((await paceOf(wr, roomId))?.ratePerMin);
        // The full 2 s burst at 6,000/min every step (the backlog stays far below ADMISSION_BACKLOG_LIMIT).
        expect((await serving(wr, roomId)) - before).to.equal(200);
      }
      expect(rates).to.deep.equal([CEILING, CEILING, CEILING]);
      await decideAll(roomId);
    });
  });

  describe('a change of leader', () => {
    it('a new leader carries on from the stored pace, not from the operator’s rate', async () => {
      const roomId = await openRoom('adaptive');
      await wr.room.controller.runOnce();
      await queueRequests(roomId, 10);
      await sleep(PAST_CUT_INTERVAL_MS);
      await wr.room.controller.runOnce();
      expect((await paceOf(wr, roomId))?.ratePerMin).to.equal(CEILING / 2);
      // The leader steps down; another process takes the lease and the next step.
      await wr.room.controller.stop();
      const next = await startWaitingRoom({ env: ENV, controller: false });
      try {
        await sleep(PAST_CUT_INTERVAL_MS);
        await next.room.controller.runOnce();
        expect(next.room.controller.getStats().leader).to.equal(true);
        // A leader starting afresh would begin at the ceiling (6,000); this one cuts the stored 3,000.
        expect((await paceOf(next, roomId))?.ratePerMin).to.equal(CEILING / 4);
      } finally {
        await next.stop();
        await decideAll(roomId);
      }
    });
  });
});
