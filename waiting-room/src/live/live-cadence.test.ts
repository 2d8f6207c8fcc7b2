import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createStudents } from '../../../test/support/catalog-fixture.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../../test/support/waiting-room-harness.js';
import {
  CADENCE_STEP_MS,
  HostLiveCadence,
  nextStretch,
  WORK_GONE_AFTER_MS,
  tickGoesOut,
  type CadenceChange,
} from './live-cadence.js';
import { idleShare, type HostCpuTimes } from './cpu-counters.js';

describe('live cadence (ticks yield to a host out of CPU)', () => {
  it('grows a step under 10 % idle, shrinks one over 30 %, holds in between, within [1, max]', () => {
    expect(nextStretch(1, 0.05, 5)).to.equal(2);
    expect(nextStretch(5, 0.0, 5), 'not past the maximum').to.equal(5);
    expect(nextStretch(3, 0.1, 5), 'exactly 10 % holds').to.equal(3);
    expect(nextStretch(3, 0.2, 5)).to.equal(3);
    expect(nextStretch(3, 0.3, 5), 'exactly 30 % holds').to.equal(3);
    expect(nextStretch(3, 0.31, 5)).to.equal(2);
    expect(nextStretch(1, 0.9, 5), 'never below every turn').to.equal(1);
  });

  it('shrinks a step whatever the host while no work waits: nothing to yield to', () => {
    expect(nextStretch(1, 0.0, 5, false)).to.equal(1);
    expect(nextStretch(4, 0.0, 5, false)).to.equal(3);
    expect(nextStretch(4, 0.2, 5, false)).to.equal(3);
    expect(nextStretch(3, 0.05, 5, true)).to.equal(4);
  });

  it('sends every round of the groups’ turns at stretch 1, and one round in `stretch` otherwise', () => {
    const sent = (groups: number, stretch: number) =>
      Array.from({ length: 12 }, (_, seq) => seq).filter((seq) => tickGoesOut(seq, groups, stretch));
    expect(sent(2, 1)).to.have.length(12);
    // Two groups, stretch 3: rounds 0 and 3 (ticks 0, 1 and 6, 7): each group once per 6 ticks.
    expect(sent(2, 3)).to.deep.equal([0, 1, 6, 7]);
    expect(sent(1, 2)).to.deep.equal([0, 2, 4, 6, 8, 10]);
  });

  it('follows the host’s CPU, one step per second at most', () => {
    // A host whose cores were busy 95 % of each second (5 % idle), then 50 % idle.
    let busy = 0.95;
    let now = 0;
    const times: HostCpuTimes = { idle: 0, total: 0 };
    const sample = () => [{ ...times }];
    const pass = (ms: number) => {
      now += ms;
      times.total += ms * 2; // two cores
      times.idle += ms * 2 * (1 - busy);
    };
    const cadence = new HostLiveCadence({ liveUpdateMs: 1_000, liveUpdateMaxMs: 4_000 }, sample);
    expect(cadence.stretch(now), 'no step before a second sample').to.equal(1);
    const steps: number[] = [];
    for (let i = 0; i < 6; i++) {
      pass(500);
      cadence.noteWork(true, now);
      steps.push(cadence.stretch(now));
    }
    // Sampled at most once per CADENCE_STEP_MS: a step every second, up to the maximum.
    expect(CADENCE_STEP_MS).to.equal(1_000);
    expect(steps).to.deep.equal([1, 2, 2, 3, 3, 4]);
    busy = 0.5;
    const back: number[] = [];
    for (let i = 0; i < 8; i++) {
      pass(500);
      cadence.noteWork(true, now);
      back.push(cadence.stretch(now));
    }
    expect(back).to.deep.equal([4, 3, 3, 2, 2, 1, 1, 1]);
    expect(cadence.intervalMs()).to.equal(1_000);
  });

  it('stretches a host out of CPU only while passes saw work in the last two seconds', () => {
    let now = 0;
    let total = 0;
    // A host with no idle CPU at all.
    const sample = () => [{ idle: 0, total: (total += 1_000) }];
    const changes: CadenceChange[] = [];
    const cadence = new HostLiveCadence({ liveUpdateMs: 1_000, liveUpdateMaxMs: 5_000 }, sample, (c) =>
      changes.push(c),
    );
    const seconds = (n: number, working: boolean) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        now += 1_000;
        cadence.noteWork(working, now);
        out.push(cadence.stretch(now));
      }
      return out;
    };
    cadence.stretch(now);
    // Only ticks to send (the push of a room nobody submits in): they are the host's work; no stretch.
    expect(seconds(3, false)).to.deep.equal([1, 1, 1]);
    expect(seconds(3, true)).to.deep.equal([2, 3, 4]);
    // The last work is remembered for WORK_GONE_AFTER_MS, then the stretch steps back.
    expect(WORK_GONE_AFTER_MS).to.equal(2_000);
    expect(seconds(5, false)).to.deep.equal([5, 5, 4, 3, 2]);
    expect(changes.map((c) => [c.intervalMs, c.workWaiting])).to.deep.equal([
      [2_000, true],
      [3_000, true],
      [4_000, true],
      [5_000, true],
      [4_000, false],
      [3_000, false],
      [2_000, false],
    ]);
  });

  it('takes a pass that has not reported yet for work still waiting: a long pass says nothing', () => {
    let now = 0;
    let total = 0;
    const cadence = new HostLiveCadence({ liveUpdateMs: 1_000, liveUpdateMaxMs: 5_000 }, () => [
      { idle: 0, total: (total += 1_000) },
    ]);
    cadence.stretch(now);
    cadence.noteWork(true, now);
    // Five seconds with no pass ending (one pass stuck on a slow MySQL), ticks still going out.
    const steps = Array.from({ length: 5 }, () => cadence.stretch((now += 1_000)));
    expect(steps).to.deep.equal([2, 3, 4, 5, 5]);
    cadence.noteWork(false, now);
    // The pass ends and saw no work: gone once WORK_GONE_AFTER_MS has passed since the last that did.
    expect(cadence.stretch((now += 1_000))).to.equal(4);
  });

  it('follows the scarcer of the node and its container’s quota', () => {
    // The node 80 % idle, the container throttled at its quota (2 % of it left).
    expect(
      idleShare(
        [
          { idle: 0, total: 0 },
          { idle: 0, total: 0 },
        ],
        [
          { idle: 800, total: 1_000 },
          { idle: 10, total: 500 },
        ],
      ),
    ).to.equal(0.02);
    expect(idleShare([{ idle: 0, total: 0 }], [{ idle: 300, total: 1_000 }])).to.equal(0.3);
    expect(idleShare([{ idle: 5, total: 10 }], [{ idle: 5, total: 10 }]), 'nothing moved').to.equal(null);
    // A quota that appears between two samples: no comparison across different counters.
    expect(
      idleShare(
        [{ idle: 0, total: 0 }],
        [
          { idle: 1, total: 2 },
          { idle: 0, total: 1 },
        ],
      ),
    ).to.equal(null);
    let now = 0;
    let node = { idle: 0, total: 0 };
    let quota = { idle: 0, total: 0 };
    const cadence = new HostLiveCadence({ liveUpdateMs: 1_000, liveUpdateMaxMs: 3_000 }, () => [node, quota]);
    cadence.stretch(now);
    node = { idle: node.idle + 1_600, total: node.total + 2_000 };
    quota = { idle: quota.idle + 0, total: quota.total + 1_000 };
    cadence.noteWork(true, (now += 1_000));
    expect(cadence.stretch(now), 'stretched by the spent quota').to.equal(2);
  });

  it('never stretches when the maximum is one step, or below it', () => {
    for (const liveUpdateMaxMs of [1_000, 1_999, 1]) {
      const cadence = new HostLiveCadence({ liveUpdateMs: 1_000, liveUpdateMaxMs }, () => [
        { idle: 0, total: 1e9 * Math.random() },
      ]);
      expect(cadence.maxStretch).to.equal(1);
      for (let t = 0; t < 5_000; t += 500) {
        cadence.noteWork(true, t);
        expect(cadence.stretch(t)).to.equal(1);
      }
    }
  });
});

describe('live cadence in a waiting room', function () {
  this.timeout(60_000);
  // Ticks every 250 ms, each watcher every 500 ms, stretched up to 2 s; the suite pins the stretch off.
  const env = {
    ADMISSION_TICK_MS: '250',
    LIVE_UPDATE_MS: '500',
    LIVE_UPDATE_MAX_MS: '2000',
    ROOM_SYNC_MS: '1',
  };
  let wr: RunningWaitingRoom;
  let busy = true;
  let total = 0;
  let idle = 0;
  // The host as its counters would tell it: every core busy, or half idle.
  const hostCpu = (): HostCpuTimes[] => {
    total += 1_000;
    if (!busy) idle += 500;
    return [{ idle, total }];
  };

  before(async () => {
    wr = await startWaitingRoom({ env, controller: false, hostCpu });
  });
  after(() => wr.stop());

  /**
   * The intervals seen went from `from` to `to` one way only. (One pass ticks every room the suite made:
   * on a slow machine it may span two samples, so a step may fall between two looks; the unit tests
   * above show one step per sample.)
   */
  const expectSteps = (seen: number[], from: number, to: number) => {
    expect(seen[0], 'from').to.equal(from);
    expect(seen.at(-1), 'to').to.equal(to);
    const sorted = [...seen].sort((a, b) => (from < to ? a - b : b - a));
    expect(seen, 'one way').to.deep.equal(sorted);
  };

  /**
   * Steps the admission leader by hand, a pass every tick, until the interval is `ms`; returns every
   * interval seen. A pass ticks every room the suite has made, so on a busy machine this may take a while.
   */
  const passesUntil = async (ms: number) => {
    const seen = [wr.room.cadence.intervalMs()];
    const deadline = Date.now() + 30_000;
    while (wr.room.cadence.intervalMs() !== ms) {
      if (Date.now() > deadline) throw new Error(`interval still ${wr.room.cadence.intervalMs()} ms`);
      await wr.room.controller.runOnce();
      if (seen.at(-1) !== wr.room.cadence.intervalMs()) seen.push(wr.room.cadence.intervalMs());
      await sleep(250);
    }
    return seen;
  };

  it('stretches on a busy host while a room it leads has commits waiting, and comes back when the host has CPU', async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 60, maxActive: 100_000 });
    // A fixed pace: the backlog is the one signal read (no api intake, no delivery rate).
    await wr.db('waiting_rooms').where({ id: roomId }).update({ admission_mode: 'fixed' });
    for (let u = 1; u <= 200; u++) await wr.room.queue.join(roomId, 97_000 + u);
    const students = await createStudents(wr.db, 3);
    await wr.db('requests').insert(
      students.map((userId, i) => ({
        user_id: userId,
        room_id: roomId,
        idempotency_key: `cadence-${roomId}-${i}`,
        kind: 'enrollment',
        payload: '{"sectionIds":[1]}',
        commit_job_id: `cadence-${roomId}`,
      })),
    );
    // One step per sample of the host, up to the maximum, then back once the host has CPU to spare.
    expectSteps(await passesUntil(2_000), 500, 2_000);
    busy = false;
    expectSteps(await passesUntil(500), 2_000, 500);
    await wr.db('requests').where({ room_id: roomId }).update({ status: 'rejected' });
  });

  it('stretches on a busy host while a room it leads is in its pre-queue: its ticks move nobody', async () => {
    const roomId = await createTestRoom(wr.db, { prequeueInMs: -1_000, opensInMs: 600_000 });
    for (let u = 1; u <= 50; u++) await wr.room.queue.join(roomId, 98_000 + u);
    busy = true;
    expectSteps(await passesUntil(2_000), 500, 2_000);
    busy = false;
    expectSteps(await passesUntil(500), 2_000, 500);
  });
});
