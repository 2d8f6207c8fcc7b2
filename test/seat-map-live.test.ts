import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Redis } from '../core/redis.js';
import type { Knex } from 'knex';
import { buildApiApp } from '../api/src/app.js';
import { createDb } from '../core/db.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import type { SeatChanges, SeatMapView } from '../core/views/sale-views.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { createStudents } from './support/catalog-fixture.js';
import { createSale, type SaleFixture } from './support/event-fixture.js';
import { holdSeats } from './support/hold-seats.js';
import { listenOnFreePort } from './support/listen.js';
import { LiveClient, withTimeout } from './support/live-client.js';
import { testLogger } from './support/silent-logger.js';
import { testConfig } from './support/test-config.js';
import { tokenFor } from './support/tokens.js';
import { startWaitingRoom, type RunningWaitingRoom } from './support/waiting-room-harness.js';

/** A watcher of events: what `seats:changed` it heard, per event. */
class SeatWatcher {
  readonly changes: SeatChanges[] = [];
  constructor(readonly client: LiveClient) {
    client.socket.on('seats:changed', (c) => this.changes.push(c));
  }

  async watch(eventId: unknown) {
    return withTimeout(
      this.client.socket.emitWithAck('watch:event', { eventId } as { eventId: number }),
      5_000,
      'watch:event ack',
    );
  }

  of(eventId: number): SeatChanges[] {
    return this.changes.filter((c) => c.eventId === eventId);
  }

  /** The next change of the event after the `seen`-th, within 10 s. */
  async next(eventId: number, seen: number): Promise<SeatChanges> {
    await this.client.until(() => this.of(eventId).length > seen, 10_000, `seats:changed #${seen + 1}`);
    return this.of(eventId)[seen] as SeatChanges;
  }
}

describe('live seat maps: seats:changed to everyone watching an event', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let api: { server: Server; url: string };
  let wr: RunningWaitingRoom;
  let worker: AppProcess;
  let sale: SaleFixture;
  let shortHolds: SaleFixture;
  let quiet: SaleFixture;
  const clients: LiveClient[] = [];

  const watcher = async (userId: number) => {
    const c = new LiveClient(wr.url, tokenFor(cfg, userId));
    clients.push(c);
    await c.connected();
    return new SeatWatcher(c);
  };

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    api = await listenOnFreePort(buildApiApp({ cfg, logger: testLogger, db, redis }));
    wr = await startWaitingRoom({ controller: false });
    // Sales exist before the worker starts: it opens one commit queue per room it finds.
    sale = await createSale(db, { rows: 2, seatsPerRow: 10 });
    shortHolds = await createSale(db, { rows: 1, seatsPerRow: 10, holdTtlS: 1 });
    quiet = await createSale(db, { rows: 1, seatsPerRow: 10 });
    worker = await startAppProcess('worker', { OUTBOX_SWEEP_MS: '250', HOLD_EXPIRY_GRACE_MS: '0' });
  });
  after(async () => {
    for (const c of clients) c.close();
    await worker?.stop();
    await wr?.stop();
    await new Promise((r) => api.server.close(r));
    await db?.destroy();
    redis?.disconnect();
  });

  it("hears another user's hold once it commits, then its payment, in one change each", async () => {
    const [viewer, buyer] = (await createStudents(db, 2)) as [number, number];
    const w = await watcher(viewer);
    expect(await w.watch(sale.eventId)).to.deep.equal({ ok: true });

    const { reservationId } = await holdSeats(api.url, cfg, db, sale, buyer, ['A1', 'A2']);
    const held = await w.next(sale.eventId, 0);
    expect(held.seats).to.deep.equal([
      { label: 'A1', status: 'held' },
      { label: 'A2', status: 'held' },
    ]);
    // The map read after the push has the change in it, and says so: its asOf is not older than the push.
    const map = (await (await fetch(`${api.url}/api/events/${sale.eventId}/seats`)).json()) as SeatMapView;
    expect(Date.parse(map.asOf)).to.be.at.least(Date.parse(held.at));
    expect(map.seats.filter((s) => s.status === 'held').map((s) => s.label)).to.deep.equal(['A1', 'A2']);

    const paid = await fetch(`${api.url}/api/reservations/${reservationId}/pay`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokenFor(cfg, buyer)}`,
        'idempotency-key': `seat-map-pay-${reservationId}`,
      },
      body: '{}',
    });
    expect(paid.status).to.equal(200);
    const sold = await w.next(sale.eventId, 1);
    expect(sold.seats).to.deep.equal([
      { label: 'A1', status: 'sold' },
      { label: 'A2', status: 'sold' },
    ]);
    await sleep(300);
    expect(w.of(sale.eventId), 'one change per commit').to.have.length(2);
  });

  it('hears seats freed when a hold is cancelled and when one expires', async () => {
    const [viewer, buyer] = (await createStudents(db, 2)) as [number, number];
    const w = await watcher(viewer);
    expect(await w.watch(sale.eventId)).to.deep.equal({ ok: true });
    expect(await w.watch(shortHolds.eventId)).to.deep.equal({ ok: true });

    const { reservationId } = await holdSeats(api.url, cfg, db, sale, buyer, ['B5']);
    expect((await w.next(sale.eventId, 0)).seats).to.deep.equal([{ label: 'B5', status: 'held' }]);
    const cancelled = await fetch(`${api.url}/api/reservations/${reservationId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${tokenFor(cfg, buyer)}` },
    });
    expect(cancelled.status).to.equal(200);
    expect((await w.next(sale.eventId, 1)).seats).to.deep.equal([{ label: 'B5', status: 'free' }]);

    await holdSeats(api.url, cfg, db, shortHolds, buyer, ['A3', 'A4']);
    expect((await w.next(shortHolds.eventId, 0)).seats.map((s) => s.status)).to.deep.equal(['held', 'held']);
    // The hold lasts a second; its expiry job (or the sweep) releases it.
    const freed = await w.next(shortHolds.eventId, 1);
    expect(freed.seats).to.deep.equal([
      { label: 'A3', status: 'free' },
      { label: 'A4', status: 'free' },
    ]);
  });

  it('tells only the watchers of that event, and nothing after unwatch:event', async () => {
    const [a, b, buyer] = (await createStudents(db, 3)) as [number, number, number];
    const elsewhere = await watcher(a);
    const leaving = await watcher(b);
    expect(await elsewhere.watch(sale.eventId)).to.deep.equal({ ok: true });
    expect(await leaving.watch(quiet.eventId)).to.deep.equal({ ok: true });

    await holdSeats(api.url, cfg, db, quiet, buyer, ['A1']);
    await leaving.next(quiet.eventId, 0);
    leaving.client.socket.emit('unwatch:event', { eventId: quiet.eventId });
    await sleep(100);
    await holdSeats(api.url, cfg, db, quiet, buyer, ['A2']);
    await sleep(500);
    expect(leaving.of(quiet.eventId), 'nothing after unwatch').to.have.length(1);
    expect(elsewhere.changes, 'another event').to.deep.equal([]);
  });

  it('refuses to watch a malformed or unknown event in its ack', async () => {
    const [viewer] = (await createStudents(db, 1)) as [number];
    const w = await watcher(viewer);
    for (const bad of ['1', 0, -3, 1.5, null]) {
      const reply = await w.watch(bad);
      expect(reply.ok, JSON.stringify(bad)).to.equal(false);
      if (!reply.ok) expect(reply.error.code).to.equal('VALIDATION_FAILED');
    }
    const unknown = await w.watch(999_999_999);
    expect(unknown.ok).to.equal(false);
    if (!unknown.ok) expect(unknown.error.code).to.equal('EVENT_NOT_FOUND');
  });
});
