import { expect } from 'chai';
import type { Express } from 'express';
import type { Redis } from '../../../core/redis.js';
import type { Knex } from 'knex';
import request from 'supertest';
import { createDb } from '../../../core/db.js';
import { createRedis } from '../../../core/redis.js';
import type { EventView, SeatMapView } from '../../../core/views/sale-views.js';
import { createSale, type SaleFixture } from '../../../test/support/event-fixture.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { buildApiApp } from '../app.js';

describe('events and seat maps (GET /api/events, /:id, /:id/seats)', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let app: Express;
  let sale: SaleFixture;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    app = buildApiApp({ cfg, logger: testLogger, db, redis });
    // Rows A, B (zone front, dearer) and C (back); B1 held, B2 sold.
    sale = await createSale(db, {
      rows: 3,
      seatsPerRow: 4,
      zoneOf: (r) => (r < 2 ? 'front' : 'back'),
      priceOf: (r) => 9_000 - r * 1_000,
    });
    // Soonest of all the run's events, so it leads the list whatever else the run created.
    await db('events')
      .where({ id: sale.eventId })
      .update({ starts_at: new Date(Date.now() + 60_000) });
    await db('seats').where({ event_id: sale.eventId, label: 'B1' }).update({ status: 'held' });
    await db('seats').where({ event_id: sale.eventId, label: 'B2' }).update({ status: 'sold' });
  });
  after(async () => {
    await db.destroy();
    redis.disconnect();
  });

  const expectedZones = [
    { zone: 'front', minPriceCents: 8_000, maxPriceCents: 9_000, total: 8, free: 6, held: 1, sold: 1 },
    { zone: 'back', minPriceCents: 7_000, maxPriceCents: 7_000, total: 4, free: 4, held: 0, sold: 0 },
  ];

  it('lists upcoming events first, without signing in, each with its room, currency and zones', async () => {
    const past = await createSale(db, { rows: 1, seatsPerRow: 1 });
    await db('events')
      .where({ id: past.eventId })
      .update({ starts_at: new Date(Date.now() - 86_400_000) });
    const res = await request(app).get('/api/events');
    expect(res.status).to.equal(200);
    const events = (res.body as { events: EventView[] }).events;
    expect(events[0]?.id, 'the soonest upcoming event first').to.equal(sale.eventId);
    const firstPast = events.findIndex((e) => Date.parse(e.startsAt) < Date.now());
    expect(events.findIndex((e) => e.id === past.eventId)).to.be.at.least(firstPast);
    expect(events.slice(firstPast).every((e) => Date.parse(e.startsAt) < Date.now())).to.equal(true);
    expect(events[0]).to.deep.include({
      kind: 'concert',
      perUserLimit: 4,
      holdTtlS: 600,
      currency: cfg.payments.currency,
    });
    expect(events[0]?.zones).to.deep.equal(expectedZones);
    // Its state is whatever an admission leader of this run last recorded: not asserted.
    expect(events[0]?.room).to.include({ id: sale.roomId, closesAt: null });
    expect(events[0]?.room?.state).to.be.a('string');
  });

  it('answers one event by id, and 404 EVENT_NOT_FOUND for an id with no event', async () => {
    const res = await request(app).get(`/api/events/${sale.eventId}`);
    expect(res.status).to.equal(200);
    const view = res.body as EventView;
    expect(view.id).to.equal(sale.eventId);
    expect(view.title).to.match(/^Test concert/);
    expect(view.zones).to.deep.equal(expectedZones);
    for (const path of ['/api/events/999999999', '/api/events/999999999/seats']) {
      const missing = await request(app).get(path);
      expect(missing.status, path).to.equal(404);
      expect(missing.body.error.code).to.equal('EVENT_NOT_FOUND');
    }
  });

  it('draws every seat at its grid cell with its status, and counts the zones', async () => {
    const before = Date.now();
    const res = await request(app).get(`/api/events/${sale.eventId}/seats`);
    expect(res.status).to.equal(200);
    const map = res.body as SeatMapView;
    expect(map).to.include({ eventId: sale.eventId, width: 4, height: 3 });
    expect(Date.parse(map.asOf)).to.be.within(before - 1, Date.now());
    expect(map.zones).to.deep.equal(expectedZones);
    expect(map.seats).to.have.length(12);
    const b2 = map.seats.find((s) => s.label === 'B2');
    expect(b2).to.deep.equal({
      id: sale.seats.find((s) => s.label === 'B2')?.id,
      label: 'B2',
      zone: 'front',
      row: 'B',
      x: 1,
      y: 1,
      priceCents: 8_000,
      status: 'sold',
    });
    expect(map.seats.find((s) => s.label === 'B1')?.status).to.equal('held');
    expect(new Set(map.seats.map((s) => `${s.x},${s.y}`)).size, 'one seat per cell').to.equal(12);
  });

  it('leaves deactivated seats off the map and out of the zone counts', async () => {
    const own = await createSale(db, { rows: 1, seatsPerRow: 3 });
    await db('seats').where({ event_id: own.eventId, label: 'A2' }).update({ active: false });
    const map = (await request(app).get(`/api/events/${own.eventId}/seats`)).body as SeatMapView;
    expect(map.seats.map((s) => s.label)).to.deep.equal(['A1', 'A3']);
    expect(map.zones).to.deep.equal([
      { zone: 'main', minPriceCents: 5_000, maxPriceCents: 5_000, total: 2, free: 2, held: 0, sold: 0 },
    ]);
    const view = (await request(app).get(`/api/events/${own.eventId}`)).body as EventView;
    expect(view.zones.map((z) => z.total)).to.deep.equal([2]);
  });

  it('places seats written before positions existed below the map', async () => {
    const old = await createSale(db, { rows: 2, seatsPerRow: 3 });
    await db('seats')
      .where({ event_id: old.eventId })
      .whereIn('label', ['B1', 'B2', 'B3'])
      .update({ row_label: null, pos_x: null, pos_y: null });
    const map = (await request(app).get(`/api/events/${old.eventId}/seats`)).body as SeatMapView;
    expect(map.seats.filter((s) => s.row === 'B').map((s) => [s.x, s.y])).to.deep.equal([]);
    expect(map.seats.filter((s) => s.y === 2).map((s) => s.x)).to.deep.equal([0, 1, 2]);
    expect(map).to.include({ width: 3, height: 3 });
  });

  it('reads a 5,000-seat map in two queries', async () => {
    const big = await createSale(db, { rows: 25, seatsPerRow: 200 });
    const counted = createDb(cfg, { poolMax: 2 });
    const queries: string[] = [];
    counted.on('query', (q: { sql: string }) => queries.push(q.sql));
    try {
      const app2 = buildApiApp({ cfg, logger: testLogger, db: counted, redis });
      const res = await request(app2).get(`/api/events/${big.eventId}/seats`);
      expect(res.status).to.equal(200);
      expect((res.body as SeatMapView).seats).to.have.length(5_000);
      expect((res.body as SeatMapView).zones[0]?.total).to.equal(5_000);
      expect(queries, queries.join('\n')).to.have.length(2);
      queries.length = 0;
      expect((await request(app2).get('/api/events')).status).to.equal(200);
      expect(queries, 'events, their rooms, their zone counts').to.have.length(3);
    } finally {
      await counted.destroy();
    }
  });

  for (const bad of ['0x1', '+1', '01', '1e0', '0', '-1', '1.0', 'abc', '99999999999999999999']) {
    it(`refuses the event id ${JSON.stringify(bad)} with 400 VALIDATION_FAILED`, async () => {
      for (const path of [
        `/api/events/${encodeURIComponent(bad)}`,
        `/api/events/${encodeURIComponent(bad)}/seats`,
      ]) {
        const res = await request(app).get(path);
        expect(res.status, path).to.equal(400);
        expect(res.headers['content-type']).to.match(/application\/json/);
        expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      }
    });
  }
});
