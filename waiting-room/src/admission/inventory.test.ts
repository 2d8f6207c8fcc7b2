import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { RoomSoldOut, RoomStatusView } from '../../../core/live-events.js';
import { createEnrollmentFixture, createSection } from '../../../test/support/catalog-fixture.js';
import { createSale } from '../../../test/support/event-fixture.js';
import { LiveClient } from '../../../test/support/live-client.js';
import { testConfig } from '../../../test/support/test-config.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { startWaitingRoom, type RunningWaitingRoom } from '../../../test/support/waiting-room-harness.js';
import { INVENTORY_CHECK_MS } from './inventory.js';

/**
 * One tick group (LIVE_UPDATE_MS = the tick): every watcher hears every tick, so a tick marks "all heard".
 * Rooms re-read on every pass, so a room made by a test is ticked at its first step.
 */
const env = { ADMISSION_TICK_MS: '500', LIVE_UPDATE_MS: '500', ROOM_SYNC_MS: '1' };

interface Watcher {
  client: LiveClient;
  userId: number;
  status: RoomStatusView;
  soldOut: RoomSoldOut[];
}

describe('admission follows inventory', function () {
  this.timeout(30_000);
  const cfg = testConfig(env);
  let wr: RunningWaitingRoom;
  const clients: LiveClient[] = [];
  // People need not exist in MySQL for the waiting room; ids of their own so no other test meets them.
  let nextUser = 7_000_000 + Math.floor(Math.random() * 1_000_000);

  before(async () => {
    wr = await startWaitingRoom({ env, controller: false });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(() => wr.stop());

  /** `count` people who joined the room (in this order: queue numbers 1, 2, …) and watch it. */
  async function waitingIn(roomId: number, count: number): Promise<Watcher[]> {
    const out: Watcher[] = [];
    for (let i = 0; i < count; i++) {
      const userId = nextUser++;
      const res = await fetch(`${wr.url}/rooms/${roomId}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
        body: JSON.stringify({ clientRequestId: `inventory-${userId}` }),
      });
      expect(res.status, 'join').to.equal(201);
      const client = new LiveClient(wr.url, tokenFor(cfg, userId));
      clients.push(client);
      const soldOut: RoomSoldOut[] = [];
      client.socket.on('room:soldOut', (m) => soldOut.push(m));
      await client.connected();
      out.push({ client, userId, status: await client.watch(roomId), soldOut });
    }
    return out;
  }

  const ticksOf = (w: Watcher, roomId: number) => w.client.ticks.filter((t) => t.roomId === roomId).length;

  /**
   * One admission pass, then waits until every watcher still waiting heard it: as its tick (sent after
   * anything else the pass sends), as its `admitted` (people let in hear no more ticks, ADR 018), or as
   * the news that the room is sold out or back on sale (a sold-out room does not tick).
   */
  async function tick(roomId: number, watchers: Watcher[]): Promise<void> {
    const heard = watchers.map((w) => ticksOf(w, roomId));
    const letIn = watchers.map((w) => w.client.admitted.length);
    const told = watchers.map((w) => w.soldOut.length);
    await wr.room.controller.runOnce();
    await Promise.all(
      watchers.map((w, i) =>
        letIn[i]! > 0
          ? Promise.resolve()
          : w.client.until(
              () =>
                ticksOf(w, roomId) > heard[i]! || w.client.admitted.length > 0 || w.soldOut.length > told[i]!,
              5_000,
              `tick for watcher ${i}`,
            ),
      ),
    );
  }

  /**
   * Passes over a room already sold out: nobody hears a tick. Each watcher's `watch` answer, asked after
   * the pass (whose tick would have gone out during it, on the same socket), marks the end of what it sent.
   */
  async function expectNoTicks(roomId: number, watchers: Watcher[]): Promise<void> {
    const heard = watchers.map((w) => ticksOf(w, roomId));
    await wr.room.controller.runOnce();
    await wr.room.controller.runOnce();
    for (const [i, w] of watchers.entries()) {
      expect((await w.client.watch(roomId)).soldOut, `watcher ${i} still told sold out`).to.equal(true);
      expect(ticksOf(w, roomId), `watcher ${i} ticks`).to.equal(heard[i]);
    }
  }

  const statusOf = async (roomId: number, userId: number): Promise<RoomStatusView> => {
    const res = await fetch(`${wr.url}/rooms/${roomId}/status`, {
      headers: { authorization: `Bearer ${tokenFor(cfg, userId)}` },
    });
    expect(res.status).to.equal(200);
    return (await res.json()) as RoomStatusView;
  };

  /** Nobody admitted; each watcher heard exactly one sold-out message, from which its position follows. */
  async function expectSoldOut(roomId: number, watchers: Watcher[]): Promise<void> {
    const figures = await wr.room.queue.figures(roomId);
    expect(figures.soldOut, 'figures').to.equal(true);
    expect(figures.serving, 'serving number').to.equal(0);
    for (const [i, w] of watchers.entries()) {
      expect(w.client.admitted, `watcher ${i} admitted`).to.deep.equal([]);
      expect(
        w.soldOut.map((m) => m.soldOut),
        `watcher ${i} messages`,
      ).to.deep.equal([true]);
      const msg = w.soldOut[0]!;
      expect(msg).to.include({ roomId, servingNumber: 0, waiting: watchers.length });
      expect(w.status.queueNumber, `watcher ${i} number`).to.equal(i + 1);
      expect(w.status.queueNumber! - msg.servingNumber, `watcher ${i} position`).to.equal(i + 1);
      const now = await statusOf(roomId, w.userId);
      expect(now).to.include({ soldOut: true, position: i + 1, admitted: false, etaSeconds: null });
    }
  }

  it('stops admitting a sale whose seats are all sold and tells every watcher with their position', async () => {
    const sale = await createSale(wr.db, { rows: 1, seatsPerRow: 3 });
    await wr.db('seats').where({ event_id: sale.eventId }).update({ status: 'sold' });
    const watchers = await waitingIn(sale.roomId, 4);
    for (const w of watchers) expect(w.status.soldOut, 'before the first check').to.equal(false);

    await tick(sale.roomId, watchers);
    await expectNoTicks(sale.roomId, watchers);
    await expectSoldOut(sale.roomId, watchers);

    // A seat comes back (a hold expired, a sale was refunded): admission resumes in the queue's order.
    await wr.db('seats').where({ id: sale.seats[0]!.id }).update({ status: 'free' });
    await sleep(INVENTORY_CHECK_MS + 100); // the leader asks MySQL at most once a second per room
    await tick(sale.roomId, watchers);
    for (const [i, w] of watchers.entries()) {
      expect(
        w.soldOut.map((m) => m.soldOut),
        `watcher ${i} messages`,
      ).to.deep.equal([true, false]);
      await w.client.until((c) => c.admitted.length === 1, 5_000, `watcher ${i} admitted`);
      expect(w.client.admitted[0]!.queueNumber).to.equal(i + 1);
    }
    expect((await wr.room.queue.figures(sale.roomId)).soldOut).to.equal(false);
  });

  it('stops admitting a registration room whose sections are all full', async () => {
    const f = await createEnrollmentFixture(wr.db);
    const a = await createSection(wr.db, f, { capacity: 2 });
    const b = await createSection(wr.db, f, { capacity: 1 });
    // An inactive section with room left is not on sale: it does not keep the room admitting.
    const c = await createSection(wr.db, f, { capacity: 5 });
    await wr.db('sections').where({ id: c.sectionId }).update({ active: false });
    await wr.db('sections').where({ id: a.sectionId }).update({ enrolled: 2 });
    await wr.db('sections').where({ id: b.sectionId }).update({ enrolled: 1 });
    const watchers = await waitingIn(f.roomId, 3);

    await tick(f.roomId, watchers);
    await expectNoTicks(f.roomId, watchers);
    await expectSoldOut(f.roomId, watchers);
  });

  it('admits as before while seats are left, and never says sold out', async () => {
    const sale = await createSale(wr.db, { rows: 1, seatsPerRow: 3 });
    await wr.db('seats').where({ id: sale.seats[0]!.id }).update({ status: 'sold' });
    const watchers = await waitingIn(sale.roomId, 3);

    // Each tick lets in what the rate allows since the last one: a few ticks let everyone in.
    for (let n = 0; n < 5 && (await wr.room.queue.figures(sale.roomId)).serving < 3; n++)
      await tick(sale.roomId, watchers);
    for (const [i, w] of watchers.entries()) {
      await w.client.until((c) => c.admitted.length === 1, 5_000, `watcher ${i} admitted`);
      expect(w.client.admitted[0]!.queueNumber).to.equal(i + 1);
    }
    for (const w of watchers) expect(w.soldOut).to.deep.equal([]);
    expect((await wr.room.queue.figures(sale.roomId)).soldOut).to.equal(false);
  });
});
