import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../core/db.js';
import { testConfig } from '../test/support/test-config.js';
import { scheduleDemoRooms } from './demo.js';
import { seedDemo } from './seed/seed-demo.js';
import { DEMO_OPENS_IN_MIN } from './seed/demo-schedule.js';

/** `npm run demo`: the demo's rooms open minutes from now (or now), their pre-queues open at once. */
describe('npm run demo', function () {
  this.timeout(60_000);
  let db: Knex;
  before(async () => {
    // Its own database: the demo seed fills every table, which other tests' fixtures must not meet.
    db = createDb(testConfig());
    const name = `demo_${Date.now().toString(36)}`;
    await db.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await db.destroy();
    const url = new URL(testConfig().db.url);
    url.pathname = `/${name}`;
    db = createDb(testConfig({ DATABASE_URL: url.toString() }));
    const { migrateLatest } = await import('../core/migrate.js');
    await migrateLatest(db);
    await seedDemo(db, { students: 10 });
  });
  after(async () => {
    if (!db) return;
    const [[row]] = (await db.raw('SELECT DATABASE() AS name')) as [[{ name: string }]];
    await db.raw(`DROP DATABASE \`${row.name}\``);
    await db.destroy();
  });

  const rooms = () =>
    db('waiting_rooms as w')
      .leftJoin('registration_windows as rw', 'rw.id', 'w.registration_window_id')
      .orderBy('w.id')
      .select(
        'w.id',
        'w.kind',
        'w.state',
        'w.prequeue_opens_at',
        'w.opens_at',
        'rw.opens_at as window_opens_at',
      );

  it('opens every pre-queue now and each room minutes later, its window with it', async () => {
    const before = Date.now();
    const results = await scheduleDemoRooms(db, undefined);
    expect(results.map((r) => r.moved)).to.deep.equal([true, true, true]);
    const minutes = results.map((r) => Math.round((r.opensAt.getTime() - before) / 60_000));
    // Whole minutes from now: within one of the schedule's minutes each.
    const expected = [DEMO_OPENS_IN_MIN.registration, DEMO_OPENS_IN_MIN.flight, DEMO_OPENS_IN_MIN.concert];
    minutes.forEach((m, i) =>
      expect(m).to.be.within((expected[i] as number) - 1, (expected[i] as number) + 1),
    );
    for (const r of await rooms()) {
      expect(r.prequeue_opens_at.getTime()).to.be.at.most(Date.now());
      expect(r.opens_at.getTime()).to.be.above(Date.now());
      if (r.kind === 'registration') expect(r.window_opens_at.getTime()).to.equal(r.opens_at.getTime());
    }
  });

  it('opens them now with --open-in 0, and leaves a room that has opened as it is', async () => {
    await db('waiting_rooms').where({ kind: 'sale' }).orderBy('id').limit(1).update({ state: 'open' });
    const results = await scheduleDemoRooms(db, 0);
    expect(results.map((r) => r.moved)).to.deep.equal([true, false, true]);
    const now = Date.now();
    for (const r of results.filter((x) => x.moved)) expect(r.opensAt.getTime()).to.be.at.most(now);
  });
});
