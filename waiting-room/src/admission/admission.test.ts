import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { decodeAdmissionToken } from '../../../core/admission/admission-token.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../../test/support/waiting-room-harness.js';
import { createStudents } from '../../../test/support/catalog-fixture.js';
import { testConfig } from '../../../test/support/test-config.js';
import { permute } from '../queue/permutation.js';
import { roomSettings } from '../rooms/room-service.js';
import { findRoom } from '../rooms/room-store.js';
import { toStatusView } from '../queue/status-view.js';

/** Spearman's rank correlation of two equally long lists of distinct numbers. */
function spearman(a: number[], b: number[]): number {
  const rank = (xs: number[]) => {
    const order = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(xs.length);
    order.forEach(([, i], k) => (r[i] = k));
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  const d2 = ra.reduce((sum, r, i) => sum + (r - (rb[i] as number)) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

describe('admission', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  let wr: RunningWaitingRoom;

  before(async () => {
    wr = await startWaitingRoom({ controller: false });
  });
  after(() => wr.stop());

  /** Copies the room's MySQL definition into Redis, as the service does on first sight of a room. */
  const configure = async (roomId: number) => {
    const row = await findRoom(wr.db, roomId);
    await wr.room.queue.configure(roomId, roomSettings(row!));
    return row!;
  };

  const queueNumberOf = async (roomId: number, userId: number) => {
    const raw = await wr.room.queue.status(roomId, userId);
    if (!raw) throw new Error('room vanished');
    return toStatusView(roomId, raw).queueNumber;
  };

  describe('pre-queue fairness', () => {
    const PRE = 1_000;
    let roomId: number;
    const numbers: number[] = [];

    before(async () => {
      roomId = await createTestRoom(wr.db, { prequeueInMs: -1_000, opensInMs: 4_000 });
      const { opens_at: opensAt } = await configure(roomId);
      // One after another, so join order is unambiguous: the k-th to join holds ticket p<k>.
      for (let k = 1; k <= PRE; k++) {
        const r = await wr.room.queue.join(roomId, 10_000 + k);
        if (!r.ok || r.ticket !== `p${k}` || r.queueNumber !== null)
          throw new Error(`unexpected join ${JSON.stringify(r)}`);
      }
      await sleep(Math.max(0, opensAt.getTime() - Date.now()) + 50);
      for (let j = 1; j <= 50; j++) await wr.room.queue.join(roomId, 50_000 + j);
      // The leader records the opening's seed in MySQL.
      await wr.room.controller.runOnce();
      for (let k = 1; k <= PRE; k++) numbers.push((await queueNumberOf(roomId, 10_000 + k)) as number);
    });

    it('gives everyone who joined before the opening a distinct number in 1..N', () => {
      expect(new Set(numbers).size).to.equal(PRE);
      expect(Math.min(...numbers)).to.equal(1);
      expect(Math.max(...numbers)).to.equal(PRE);
    });

    it('orders them without correlation to when they joined', () => {
      const joinOrder = numbers.map((_, k) => k + 1);
      // Under a uniform random order rho ~ N(0, 1/sqrt(N-1)) ≈ N(0, 0.032); 0.15 is about 4.7 sigma.
      const rho = spearman(joinOrder, numbers);
      expect(Math.abs(rho), `rho = ${rho}`).to.be.below(0.15);
      // The first tenth to arrive gets no head start: their mean number is near the middle (σ ≈ 29).
      const firstTenth = numbers.slice(0, PRE / 10);
      const mean = firstTenth.reduce((a, b) => a + b, 0) / firstTenth.length;
      expect(mean).to.be.within(PRE / 2 - 120, PRE / 2 + 120);
    });

    it('can be recomputed from the seed recorded in MySQL', async () => {
      const row = await wr
        .db('waiting_rooms')
        .where({ id: roomId })
        .first<{ shuffle_seed: string | null; state: string }>();
      expect(row?.shuffle_seed).to.be.a('string');
      expect(row?.state).to.equal('open');
      const seed = Number(row?.shuffle_seed);
      const recomputed = numbers.map((_, k) => permute(k, PRE, seed) + 1);
      expect(recomputed).to.deep.equal(numbers);
    });

    it('puts everyone who joined after the opening behind all of them, first come first served', async () => {
      const after = [];
      for (let j = 1; j <= 50; j++) after.push(await queueNumberOf(roomId, 50_000 + j));
      expect(after).to.deep.equal(Array.from({ length: 50 }, (_, j) => PRE + j + 1));
    });
  });

  describe('pacing', () => {
    it('admits at the set rate over 10 seconds: never faster, and not stalled', async function () {
      this.timeout(90_000);
      // Hand the lead to the paced process at once instead of waiting for this one's lease to lapse.
      await wr.room.controller.stop();
      const paced = await startWaitingRoom({ env: { ADMISSION_TICK_MS: '200' } });
      try {
        const roomId = await createTestRoom(paced.db, { ratePerMin: 600, maxActive: 100_000 });
        const rows = await findRoom(paced.db, roomId);
        await paced.room.queue.configure(roomId, roomSettings(rows!));
        for (let u = 1; u <= 400; u++) await paced.room.queue.join(roomId, 70_000 + u);
        let before = 0;
        let startedAt = 0;
        // The new process takes the lead and syncs the room first: a generous wait, not a timing claim.
        for (let i = 0; i < 300 && before === 0; i++) {
          await sleep(100);
          startedAt = Date.now();
          before = (await paced.room.queue.figures(roomId)).serving;
        }
        expect(before, 'admission had started').to.be.greaterThan(0);
        await sleep(10_000);
        const after = (await paced.room.queue.figures(roomId)).serving;
        // 600 per minute = 1 per 100 ms, over the time that really passed. The budget accrues with time and
        // is capped at a 2 s burst, so the rate bounds admissions from above on any machine; a busy machine's
        // pauses can only lower the count (a stall is not made up), hence the generous lower bound.
        const allowed = (Date.now() - startedAt) / 100;
        expect(after - before).to.be.within(allowed / 2, allowed + 20 + 2);
        expect(paced.room.controller.getStats().leader).to.equal(true);
      } finally {
        await paced.stop();
      }
    });
  });

  describe('backpressure', () => {
    it('pauses admission while the room has more requests waiting to commit than the limit, halves it past half', async () => {
      const pressured = await startWaitingRoom({ env: { ADMISSION_BACKLOG_LIMIT: '10' }, controller: false });
      await wr.room.controller.stop();
      try {
        const roomId = await createTestRoom(pressured.db, { ratePerMin: 6_000, maxActive: 100_000 });
        const row = await findRoom(pressured.db, roomId);
        await pressured.room.queue.configure(roomId, roomSettings(row!));
        for (let u = 1; u <= 2_000; u++) await pressured.room.queue.join(roomId, 110_000 + u);
        // The backlog is the room's accepted, undecided requests (however their jobs group them).
        const students = await createStudents(pressured.db, 10);
        const queueRequests = async (n: number) => {
          await pressured.db('requests').insert(
            students.slice(0, n).map((userId, i) => ({
              user_id: userId,
              room_id: roomId,
              idempotency_key: `backlog-${roomId}-${i}-${n}`,
              kind: 'enrollment',
              payload: '{"sectionIds":[1]}',
              commit_job_id: `backlog-${roomId}-${n}`,
            })),
          );
        };
        const decideAll = () =>
          pressured
            .db('requests')
            .where({ room_id: roomId, status: 'queued' })
            .update({ status: 'rejected' });
        // Each step waits past the 2 s burst cap, so every step's budget is the full burst (2 s at 6,000 a
        // minute: 200) however slow the machine: counts, not a race against the clock.
        const step = async () => {
          const before = (await pressured.room.queue.figures(roomId)).serving;
          await sleep(2_100);
          await pressured.room.controller.runOnce();
          return (await pressured.room.queue.figures(roomId)).serving - before;
        };
        await queueRequests(10);
        expect(await step(), 'paused at the limit').to.equal(0);
        await decideAll();
        const free = await step();
        expect(free, 'full speed when nothing waits').to.equal(200);
        await queueRequests(6);
        const halved = await step();
        expect(halved).to.equal(100);
        await decideAll();
      } finally {
        await pressured.stop();
      }
    });
  });

  describe('maximum active', () => {
    let roomId: number;
    /** When the first five were let in, and when the last of the sixth's ticks ran: tokens lapse TOKEN_TTL_S later. */
    let firstAdmittedAt = 0;
    let sixthAdmittedBy = 0;
    // Long enough that a loaded machine runs the tests before the last one inside it; that one waits it out.
    // Each pass ticks every room the suite has made so far: on CI's machine eight passes took 8.9 s.
    const TOKEN_TTL_S = 20;
    const tick = () => wr.room.controller.runOnce();

    before(async () => {
      roomId = await createTestRoom(wr.db, { ratePerMin: 60_000, maxActive: 5, tokenTtlS: TOKEN_TTL_S });
      await configure(roomId);
      for (let u = 1; u <= 20; u++) await wr.room.queue.join(roomId, 80_000 + u);
    });

    it('admits nobody more while the maximum are active', async () => {
      firstAdmittedAt = Date.now();
      for (let i = 0; i < 5; i++) {
        await tick();
        await sleep(60);
      }
      const f = await wr.room.queue.figures(roomId);
      expect(f.serving).to.equal(5);
      expect(f.active).to.equal(5);
    });

    it('gives each admitted person a token for them and this room', async () => {
      const raw = await wr.room.queue.status(roomId, 80_001);
      const view = toStatusView(roomId, raw!);
      expect(view.admitted).to.equal(true);
      const claims = decodeAdmissionToken(cfg.admission, view.admissionToken!);
      expect(claims).to.include({ userId: 80_001, roomId, queueNumber: 1 });
    });

    it('lets exactly one more in when one finishes', async () => {
      expect(await wr.room.queue.finish(roomId, 80_002)).to.equal(true);
      for (let i = 0; i < 3; i++) {
        await tick();
        await sleep(60);
      }
      sixthAdmittedBy = Date.now();
      expect(sixthAdmittedBy - firstAdmittedAt, 'the first five’s tokens still live').to.be.below(
        TOKEN_TTL_S * 1_000,
      );
      const f = await wr.room.queue.figures(roomId);
      expect(f.serving).to.equal(6);
      expect(f.active).to.equal(5);
    });

    it('stops counting no-shows once their token expires, so the room never stalls', async () => {
      await sleep(Math.max(0, sixthAdmittedBy + TOKEN_TTL_S * 1_000 + 500 - Date.now()));
      await tick();
      const f = await wr.room.queue.figures(roomId);
      expect(f.noShows).to.equal(5);
      expect(f.serving).to.equal(11);
      expect(f.active).to.equal(5);
      const expired = toStatusView(roomId, (await wr.room.queue.status(roomId, 80_001))!);
      expect(expired).to.include({ admitted: true, admissionToken: null });
    });
  });
});
