import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { decodeAdmissionToken } from '../../../core/admission/admission-token.js';
import { LiveClient } from '../../../test/support/live-client.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { createTestUser } from '../../../test/support/users.js';
import { testConfig } from '../../../test/support/test-config.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../../test/support/waiting-room-harness.js';

/** Admission ticks every 200 ms; each watcher hears the room every 400 ms: two tick groups. */
const TICK_MS = 200;
const LIVE_UPDATE_MS = 400;
const G = LIVE_UPDATE_MS / TICK_MS;
const env = {
  ADMISSION_TICK_MS: String(TICK_MS),
  LIVE_UPDATE_MS: String(LIVE_UPDATE_MS),
  ROOM_SYNC_MS: '200',
};

/**
 * Checks that every periodic tick of the room reached one group and each watcher heard every G-th of
 * them, in order: then no serving number waits more than G − 1 ticks to reach anyone. Only ticks heard
 * after `from` (each watcher's tick count then) count, so ticks sent while watchers were still joining
 * don't.
 */
const heardSince = (watchers: LiveClient[], from: number[], roomId: number) =>
  watchers.map((w, i) => w.ticks.slice(from[i]).filter((t) => t.roomId === roomId));

/** The room's ticks the watchers heard together since `from`, in the order the server sent them. */
const ticksHeard = (watchers: LiveClient[], from: number[], roomId: number) =>
  [
    ...new Set(
      heardSince(watchers, from, roomId)
        .flat()
        .map((t) => t.serverTime),
    ),
  ].sort();

function expectEveryGthTick(watchers: LiveClient[], from: number[], roomId: number): void {
  const heard = heardSince(watchers, from, roomId);
  // Each tick is stamped with the server's time of its tick: together the watchers heard every tick.
  const sequence = ticksHeard(watchers, from, roomId);
  expect(sequence.length, 'ticks heard').to.be.greaterThan(3 * G);
  heard.forEach((ticks, w) => {
    const at = ticks.map((t) => sequence.indexOf(t.serverTime));
    expect(at[0], `watcher ${w}: first tick`).to.be.below(G);
    // Its group's newest tick may still be on its way to it (through the adapter) while others heard
    // theirs: up to one turn of each group.
    expect(at[at.length - 1], `watcher ${w}: last tick`).to.be.at.least(sequence.length - 2 * G);
    for (let k = 1; k < at.length; k++)
      expect(at[k]! - at[k - 1]!, `watcher ${w}: every G-th tick`).to.equal(G);
    const servings = ticks.map((t) => t.servingNumber);
    expect(servings, `watcher ${w}: serving numbers in order`).to.deep.equal(
      [...servings].sort((a, b) => a - b),
    );
  });
}

describe('live room status over socket.io', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  let wr: RunningWaitingRoom;
  const clients: LiveClient[] = [];

  const client = (userId: number, role: 'student' | 'staff' = 'student') => {
    const c = new LiveClient(wr.url, tokenFor(cfg, userId, role));
    clients.push(c);
    return c;
  };
  /** `count` connected clients watching the room, users userFrom, userFrom + 1, … */
  const watching = (roomId: number, count: number, userFrom: number) =>
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const c = client(userFrom + i);
        await c.connected();
        await c.watch(roomId);
        return c;
      }),
    );
  const join = (roomId: number, userId: number) =>
    fetch(`${wr.url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
      body: JSON.stringify({ clientRequestId: `live-${userId}-x` }),
    });

  before(async () => {
    wr = await startWaitingRoom({ env });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(() => wr.stop());

  it('shows a watcher its number, then serving-number ticks, then `admitted` with a token that verifies', async () => {
    // 40 ahead at 5 a second: about 8 s of ticks before this watcher's turn, so it hears several even
    // when each pass takes a second (a pass ticks every room the suite has made so far).
    const ahead = 40;
    const roomId = await createTestRoom(wr.db, { ratePerMin: 300, maxActive: 1_000 });
    for (let u = 1; u <= ahead; u++) expect((await join(roomId, 90_000 + u)).status).to.equal(201);
    const me = 90_100;
    await join(roomId, me);
    const c = client(me);
    await c.connected();
    const first = await c.watch(roomId);
    expect(first).to.include({ roomId, joined: true, queueNumber: ahead + 1, phase: 'open' });

    await c.until((x) => x.admitted.length > 0, 25_000, 'admitted');
    const servings = c.ticks.map((t) => t.servingNumber);
    expect(servings.length, 'ticks before the turn').to.be.greaterThan(1);
    expect(servings).to.deep.equal([...servings].sort((a, b) => a - b));
    const admitted = c.admitted[0]!;
    expect(admitted).to.include({ roomId, queueNumber: ahead + 1 });
    const claims = decodeAdmissionToken(cfg.admission, admitted.admissionToken);
    expect(claims).to.include({ userId: me, roomId, queueNumber: ahead + 1 });
    // Let in, the watcher hears no more ticks (ADR 018), though the room goes on admitting.
    const heard = c.ticks.length;
    for (let u = ahead + 1; u <= ahead + 15; u++) await join(roomId, 90_000 + u);
    await sleep(4 * LIVE_UPDATE_MS);
    expect(c.ticks.length, 'ticks after the turn').to.equal(heard);
  });

  it('gives a reconnecting client the current state with its answer to `watch`, before any tick', async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 6_000, maxActive: 1_000 });
    const me = 91_001;
    await join(roomId, me);
    const first = client(me);
    await first.connected();
    await first.watch(roomId);
    await first.until((x) => x.admitted.length > 0, 10_000, 'admitted');
    first.close();

    const again = client(me);
    await again.connected();
    const state = await again.watch(roomId);
    // The state comes with the answer to `watch`, not with the next tick of the socket's group: an order,
    // which holds however slow the machine is, where a clock bound would not.
    expect(again.ticks).to.have.length(0);
    expect(state).to.include({ admitted: true, queueNumber: 1 });
    expect(state.admissionToken).to.equal(first.admitted[0]!.admissionToken);
  });

  it('sends each watcher the room every LIVE_UPDATE_MS, one tick group per admission tick, whatever the number of watchers', async () => {
    // Enough people that the serving number moves on every tick (600 a minute: 2 a tick).
    const roomId = await createTestRoom(wr.db, { ratePerMin: 600, maxActive: 100_000 });
    expect((await join(roomId, 92_500)).status).to.equal(201);
    for (let u = 1; u < 100; u++) await wr.room.queue.join(roomId, 92_500 + u);
    const watchers = await watching(roomId, 20, 92_000);
    const from = watchers.map((w) => w.ticks.length);
    const since = Date.now();
    // Until the room has ticked 4G times, however slowly a loaded machine lets the leader tick.
    await watchers[0]!.until(
      () => ticksHeard(watchers, from, roomId).length >= 4 * G,
      20_000,
      `${4 * G} ticks heard`,
    );
    const elapsed = Date.now() - since;

    // That each watcher hears every G-th tick (none skipped) is counted in ticks, which a busy machine's
    // pauses cannot break; the clock only bounds from above: never more often than every LIVE_UPDATE_MS
    // (one more for a tick sent before `since` and heard after it).
    expectEveryGthTick(watchers, from, roomId);
    const most = Math.ceil(elapsed / LIVE_UPDATE_MS) + 2;
    watchers.forEach((w, i) => {
      const heard = w.ticks.slice(from[i]).filter((t) => t.roomId === roomId);
      expect(heard.length).to.be.within(1, most);
      expect(new Set(heard.map((t) => t.servingNumber)).size, 'the serving number moved').to.be.greaterThan(
        1,
      );
    });
  });

  it("reaches everyone watching at once with an operator's message, and tells them of a pause", async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 60, maxActive: 1_000 });
    // Several watchers, so both tick groups have some: room-wide news is not staggered.
    const watchers = await watching(roomId, 4, 93_001);
    const watcher = watchers[0]!;
    // The leader picks the new room up at its next sync.
    await sleep(400);
    const operator = await createTestUser(wr.db, 'staff');
    const staff = {
      authorization: `Bearer ${tokenFor(cfg, operator.id, 'staff')}`,
      'content-type': 'application/json',
    };
    const sent = await fetch(`${wr.url}/operator/rooms/${roomId}/messages`, {
      method: 'POST',
      headers: staff,
      body: JSON.stringify({ message: 'Seats for block C are released at 10:15' }),
    });
    expect(sent.status).to.equal(202);
    for (const w of watchers) {
      await w.until((x) => x.messages.length > 0, 3_000, 'message');
      expect(w.messages[0]).to.equal('Seats for block C are released at 10:15');
    }

    const paused = await fetch(`${wr.url}/operator/rooms/${roomId}/actions/pause`, {
      method: 'POST',
      headers: staff,
    });
    expect(await paused.json()).to.deep.equal({ phase: 'open', paused: true });
    for (const w of watchers) await w.until((x) => x.phases.includes('open:paused'), 3_000, 'pause');
    const status = await watcher.watch(roomId);
    expect(status).to.include({ paused: true, etaSeconds: null });
  });

  it('tells an admitted person at once when an operator revokes their admission', async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 6_000, maxActive: 1_000 });
    const me = 95_501;
    await join(roomId, me);
    const c = client(me);
    await c.connected();
    await c.watch(roomId);
    await c.until((x) => x.admitted.length > 0, 10_000, 'admitted');
    const operator = await createTestUser(wr.db, 'staff');
    const res = await fetch(`${wr.url}/operator/rooms/${roomId}/revocations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokenFor(cfg, operator.id, 'staff')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId: me }),
    });
    expect(res.status).to.equal(200);
    await c.until((x) => x.revocations.includes(roomId), 3_000, 'admission:revoked');
    const status = await c.watch(roomId);
    expect(status).to.include({ admitted: true, admissionToken: null });
  });

  it('refuses to watch a room that does not exist', async () => {
    const c = client(94_001);
    await c.connected();
    const reply = await c.socket.emitWithAck('watch', { roomId: 987_654_321 });
    expect(reply).to.deep.include({ ok: false });
    const bad = await c.socket.emitWithAck('watch', { roomId: -1 });
    expect(bad).to.deep.include({ ok: false });
  });
});

describe('staggered room ticks when the admission lead moves', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let first: RunningWaitingRoom;
  let second: RunningWaitingRoom;
  const clients: LiveClient[] = [];

  /** A room in MySQL and Redis (its first join configures it) with `people` waiting. */
  const roomWith = async (people: number, userFrom: number) => {
    const roomId = await createTestRoom(first.db, { ratePerMin: 600, maxActive: 100_000 });
    const res = await fetch(`${first.url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userFrom)}` },
      body: JSON.stringify({ clientRequestId: `lead-moves-${userFrom}` }),
    });
    expect(res.status).to.equal(201);
    for (let u = 1; u < people; u++) await first.room.queue.join(roomId, userFrom + u);
    return roomId;
  };

  before(async () => {
    first = await startWaitingRoom({ env });
    second = await startWaitingRoom({ env, controller: false });
  });
  after(async () => {
    for (const c of clients.splice(0)) c.close();
    await first.stop();
    await second.stop();
  });

  it("keeps every watcher's turn: the tick sequence lives with the room, not with the leader", async () => {
    // Enough people that the serving number keeps moving.
    const roomId = await roomWith(100, 96_000);
    // Watchers on both processes: the ticks of whoever leads reach them through the Redis adapter.
    const watchers = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const c = new LiveClient((i % 2 === 0 ? first : second).url, tokenFor(cfg, 96_500 + i));
        clients.push(c);
        await c.connected();
        await c.watch(roomId);
        return c;
      }),
    );
    await sleep(300);
    const from = watchers.map((w) => w.ticks.length);
    await sleep(1_200);
    // The lead moves: the first process stops (releasing the lease), the second takes over.
    await first.room.controller.stop();
    const moved = watchers.map((w) => w.ticks.length);
    second.room.controller.start();
    // Each pass ticks every room the suite has made so far, so on a busy machine the new leader's passes
    // can take far longer than the tick: wait for what is checked, the room's ticks from the new leader.
    await watchers[0]!.until(
      () =>
        second.room.controller.getStats().leading.includes(roomId) &&
        ticksHeard(watchers, moved, roomId).length > 3 * G,
      20_000,
      'ticks of the new leader',
    );
    expectEveryGthTick(watchers, from, roomId);
  });

  it("numbers each room's ticks in Redis: one sequence per room, whichever process plans them", async () => {
    await second.room.controller.stop();
    const a = await roomWith(1, 96_900);
    const b = await roomWith(1, 96_950);
    const seqs: number[] = [];
    for (const queue of [first.room.queue, second.room.queue, first.room.queue]) {
      seqs.push((await queue.planTick(a))!.seq);
    }
    expect(seqs[1]! - seqs[0]!).to.equal(1);
    expect(seqs[2]! - seqs[1]!).to.equal(1);
    // Another room has its own sequence (so its turns don't depend on how many rooms there are).
    const other = (await second.room.queue.planTick(b))!.seq;
    await first.room.queue.planTick(a);
    expect((await first.room.queue.planTick(b))!.seq).to.equal(other + 1);
  });
});
