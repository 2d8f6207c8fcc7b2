import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { IntakeLoad, publishIntake, readIntake } from '../../../core/admission/intake-load.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { createStudents } from '../../../test/support/catalog-fixture.js';
import {
  busyHost,
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../../test/support/waiting-room-harness.js';
import { testConfig } from '../../../test/support/test-config.js';
import { OperatorService } from '../rooms/operator-service.js';
import { roomSettings } from '../rooms/room-service.js';
import { findRoom } from '../rooms/room-store.js';
import { PACE_SAMPLE_LIMIT, recentDelivery } from '../rooms/room-outcomes.js';
import { PaceStore } from './pace-store.js';

const CEILING = 6_000;
// Small targets so a handful of rows moves the pace; every room is re-read on each step (ROOM_SYNC_MS).
const ENV = {
  ADMISSION_PACE_BACKLOG: '5',
  ADMISSION_PACE_P99_MS: '1000',
  ADMISSION_PACE_FLOOR: '100',
  ADMISSION_PACE_STEP: '600',
  ADMISSION_PACE_INTAKE: '64',
  ADMISSION_PACE_INTAKE_MS: '250',
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
      // The first plan stores the opening pace (the start pace, here the ceiling: it is lower); each later
      // plan stores the step worked out at the tick before (one round trip for both, ADR 012).
      expect(await paceOf(wr, roomId), 'the opening pace').to.include({ ratePerMin: CEILING, cutAtMs: null });
      const rates: (number | undefined)[] = [];
      for (const more of [6, 4, 4]) {
        await queueRequests(roomId, more);
        await sleep(PAST_CUT_INTERVAL_MS);
        await wr.room.controller.runOnce();
        rates.push((await paceOf(wr, roomId))?.ratePerMin);
      }
      expect(rates).to.deep.equal([CEILING, CEILING / 2, CEILING / 4]);
    });

    it('admits at the effective rate, not the operator’s', async () => {
      // The last step cut to 750/min: the next plan stores it and caps its budget at 2 s of it, 25 people.
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
      const before = (await paceOf(wr, roomId))!.ratePerMin;
      // The next plan stores the cut; its own step holds (one cut per interval).
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

  describe('a room that admits nobody', () => {
    it('keeps its pace while nobody waits and while paused, and grows again once it admits', async () => {
      const roomId = await createTestRoom(wr.db, { ratePerMin: CEILING, maxActive: 100_000 });
      await wr.room.queue.configure(roomId, roomSettings((await findRoom(wr.db, roomId))!));
      // A pace below the ceiling, as a cut leaves it: under target it would grow 600/min each second.
      await wr.redis.hset(wr.room.queue.key(roomId, 'state'), {
        pace: '1000',
        pace_at: String(Date.now()),
        pace_cut_at: String(Date.now() - 60_000), // past its slow start
      });
      let lastStepAt = 0;
      const steps = async (n: number) => {
        const rates: number[] = [];
        for (let i = 0; i < n; i++) {
          await sleep(300);
          lastStepAt = Date.now();
          await wr.room.controller.runOnce();
          rates.push((await paceOf(wr, roomId))!.ratePerMin);
        }
        return rates;
      };
      expect(await steps(4), 'nobody waits').to.deep.equal([1_000, 1_000, 1_000, 1_000]);
      // Enough people that the resumed steps never run out of them, however slowly a loaded machine steps:
      // with 50, a CI run admitted them all by the fourth step, which then held (2026-12-02).
      for (let u = 1; u <= 2_000; u++) await wr.room.queue.join(roomId, roomId * 10_000 + u);
      await wr.room.queue.operatorPhase(roomId, 'pause');
      expect(await steps(4), 'paused').to.deep.equal([1_000, 1_000, 1_000, 1_000]);
      const lastPausedStepAt = lastStepAt;
      await wr.room.queue.operatorPhase(roomId, 'resume');
      const resumed = await steps(4);
      const sinceLastPausedStepS = (Date.now() - lastPausedStepAt) / 1_000;
      // The first plan after the resume stores the last paused step; then each step grows it.
      expect(resumed[0]).to.equal(1_000);
      resumed.slice(1).forEach((r, i) => expect(r, `step ${i + 1}`).to.be.greaterThan(resumed[i]!));
      // Growth counts only the time since the last paused step, not the paused seconds before it.
      expect(resumed[3]! - 1_000).to.be.at.most(600 * sinceLastPausedStepS);
    });
  });

  describe('a room whose ceiling is far above the pipeline', () => {
    it('opens at the start pace, not at the operator’s ceiling, and doubles it while under target', async () => {
      const roomId = await createTestRoom(wr.db, { ratePerMin: 600_000, maxActive: 100_000 });
      await wr.room.queue.configure(roomId, roomSettings((await findRoom(wr.db, roomId))!));
      for (let u = 1; u <= 2_000; u++) await wr.room.queue.join(roomId, roomId * 10_000 + u);
      await wr.room.controller.runOnce();
      expect(await paceOf(wr, roomId), 'the opening pace').to.include({ ratePerMin: 6_000, cutAtMs: null });
      const admitted: number[] = [];
      for (let i = 0; i < 3; i++) {
        const before = await serving(wr, roomId);
        await sleep(1_000);
        await wr.room.controller.runOnce();
        admitted.push((await serving(wr, roomId)) - before);
      }
      // At the ceiling each of these ticks would let in its 2 s burst cap, 20,000 people (all 2,000 at once).
      // At the opening pace a tick lets in about a second of it: ~100, then ~200 once doubled …
      expect(admitted[0], 'the first second').to.be.within(50, 200);
      expect(admitted[2]!, 'doubling').to.be.greaterThan(admitted[0]!);
      expect((await paceOf(wr, roomId))!.ratePerMin).to.be.within(12_000, 100_000);
    });
  });

  describe('a host out of CPU', () => {
    it('ends slow start at half the pace on a host out of CPU', async () => {
      const busy = await startWaitingRoom({ env: ENV, controller: false, hostCpu: busyHost() });
      try {
        const roomId = await createTestRoom(busy.db, { ratePerMin: 600_000, maxActive: 100_000 });
        await busy.room.queue.configure(roomId, roomSettings((await findRoom(busy.db, roomId))!));
        for (let u = 1; u <= 200; u++) await busy.room.queue.join(roomId, roomId * 10_000 + u);
        await busy.room.controller.runOnce();
        expect(await paceOf(busy, roomId), 'the opening pace').to.include({
          ratePerMin: 6_000,
          cutAtMs: null,
        });
        // The host's counters are read every half second: the second read is the first with a share.
        await sleep(600);
        await busy.room.controller.runOnce();
        await busy.room.controller.runOnce();
        const pace = await paceOf(busy, roomId);
        expect(pace?.ratePerMin).to.equal(3_000);
        expect(pace?.cutAtMs, 'past slow start').to.not.equal(null);
      } finally {
        await busy.stop();
      }
    });
  });

  describe('the api intake load', () => {
    it('cuts the pace while an api process holds more submissions than its target, each for longer than its hold target, with no backlog nor p99', async () => {
      const intakeKey = redisKeys(cfg.redis.prefix).admissionIntake;
      const roomId = await openRoom('adaptive');
      await wr.room.controller.runOnce();
      expect(await paceOf(wr, roomId), 'the opening pace').to.include({ ratePerMin: CEILING });
      // An api process that held 100 submissions throughout its last half second (the target is 64).
      let t = 0;
      const load = new IntakeLoad(() => t);
      const leaves = Array.from({ length: 100 }, () => load.enter());
      t = 500;
      try {
        // Published as the api does (INTAKE_PUBLISH_MS): what the leader reads is that old at most.
        await sleep(PAST_CUT_INTERVAL_MS);
        await publishIntake(wr.redis, intakeKey, load);
        expect(await readIntake(wr.redis, intakeKey)).to.deep.equal({ held: 100, holdMs: 500 });
        await wr.room.controller.runOnce();
        // One more plan stores that cut.
        await wr.room.controller.runOnce();
        expect((await paceOf(wr, roomId))?.ratePerMin).to.equal(CEILING / 2);
      } finally {
        leaves.forEach((leave) => leave());
        await wr.redis.hdel(intakeKey, load.id);
      }
      // Nobody held: the pace grows back.
      await sleep(PAST_CUT_INTERVAL_MS);
      await wr.room.controller.runOnce();
      await wr.room.controller.runOnce();
      expect((await paceOf(wr, roomId))?.ratePerMin).to.be.above(CEILING / 2);
    });
  });

  describe('what the pipeline delivers', () => {
    /** n of the room's requests decided `agoMs` before now, each after `tookMs` (submit → outcome). */
    const decided = (roomId: number, n: number, tookMs: number, agoMs = 0) => {
      const now = Date.now();
      const tag = `done-${roomId}-${++keyCounter}`;
      return wr.db.batchInsert(
        'requests',
        Array.from({ length: n }, (_, i) => ({
          user_id: students[i % students.length]!,
          room_id: roomId,
          idempotency_key: `${tag}-${i}`,
          kind: 'enrollment',
          payload: '{"sectionIds":[1]}',
          status: 'committed',
          commit_job_id: tag,
          created_at: new Date(now - agoMs - tookMs),
          completed_at: new Date(now - agoMs - (i % 1_000)),
        })),
        500,
      );
    };

    it('is the room’s requests decided per minute over the window, and their p99', async () => {
      const roomId = await createTestRoom(wr.db, { ratePerMin: CEILING, maxActive: 100_000 });
      expect(await recentDelivery(wr.db, roomId, 5_000)).to.deep.equal({ p99Ms: null, perMin: 0 });
      await decided(roomId, 30, 200);
      await decided(roomId, 20, 900, 10_000); // before the window
      const d = await recentDelivery(wr.db, roomId, 5_000);
      expect(d.perMin, '30 in 5 s').to.equal(360);
      expect(d.p99Ms).to.be.within(200, 1_200);
    });

    it('counts over the span of the newest sample when more were decided than it holds', async () => {
      const roomId = await createTestRoom(wr.db, { ratePerMin: CEILING, maxActive: 100_000 });
      // 1,500 decided within the last second: the newest 1,000 span about one second, not five.
      await decided(roomId, PACE_SAMPLE_LIMIT + 500, 100);
      const d = await recentDelivery(wr.db, roomId, 5_000);
      expect(d.perMin, 'over the sample’s span').to.be.above(30_000);
    });

    it('is where a cut stops: half of it, not half of the pace below it', async () => {
      const roomId = await openRoom('adaptive');
      await wr.room.controller.runOnce();
      expect(await paceOf(wr, roomId), 'the opening pace').to.include({ ratePerMin: CEILING });
      // 700 decided in the last 5 s (8,400/min), slowly (p99 3 s, over its 1 s target): the cut goes to
      // half of 8,400, above half of the pace.
      await decided(roomId, 700, 3_000);
      await sleep(PAST_CUT_INTERVAL_MS);
      await wr.room.controller.runOnce();
      await wr.room.controller.runOnce();
      const cut = (await paceOf(wr, roomId))!.ratePerMin;
      expect(cut)
        .to.be.above(CEILING / 2)
        .and.to.be.below(CEILING);
      expect(cut).to.be.closeTo(4_200, 300);
    });
  });

  describe('a change of leader', () => {
    it('a new leader carries on from the stored pace, not from the operator’s rate', async () => {
      const roomId = await openRoom('adaptive');
      await wr.room.controller.runOnce();
      await queueRequests(roomId, 10);
      await sleep(PAST_CUT_INTERVAL_MS);
      await wr.room.controller.runOnce();
      // One more plan stores that cut (its own step holds: one cut per interval).
      await wr.room.controller.runOnce();
      expect((await paceOf(wr, roomId))?.ratePerMin).to.equal(CEILING / 2);
      // The leader steps down; another process takes the lease and the next step.
      await wr.room.controller.stop();
      const next = await startWaitingRoom({ env: ENV, controller: false });
      try {
        await sleep(PAST_CUT_INTERVAL_MS);
        await next.room.controller.runOnce();
        expect(next.room.controller.getStats().leader).to.equal(true);
        await next.room.controller.runOnce();
        // A leader starting afresh would begin at the ceiling (6,000); this one cut the stored 3,000.
        expect((await paceOf(next, roomId))?.ratePerMin).to.equal(CEILING / 4);
      } finally {
        await next.stop();
        await decideAll(roomId);
      }
    });
  });
});
