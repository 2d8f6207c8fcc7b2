import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb, databaseName } from '../core/db.js';
import { migrateLatest, migrateRollbackAll } from '../core/migrate.js';
import { testConfig } from '../test/support/test-config.js';

const APP_TABLES = [
  'audit_log',
  'cart_items',
  'courses',
  'enrollments',
  'events',
  'majors',
  'notifications',
  'payments',
  'professors',
  'refresh_tokens',
  'registration_windows',
  'requests',
  'reservation_seats',
  'reservations',
  'seats',
  'section_meetings',
  'sections',
  'terms',
  'users',
  'waiting_rooms',
];
const KNEX_TABLES = ['knex_migrations', 'knex_migrations_lock'];

async function tablesIn(db: Knex): Promise<string[]> {
  const [rows] = (await db.raw(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
  )) as [{ name: string }[], unknown];
  return rows.map((r) => r.name).sort();
}

/** The error a promise rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  expect.fail('expected the database to refuse this write');
}

describe('migrations', function () {
  this.timeout(120_000);
  const cfg = testConfig();
  const name = `${databaseName(cfg.db.url)}_mig`;
  let server: Knex;
  let db: Knex;

  before(async () => {
    server = createDb(cfg, { database: '' });
    await server.raw('DROP DATABASE IF EXISTS ??', [name]);
    await server.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
    db = createDb(cfg, { database: name, poolMax: 2 });
  });

  after(async () => {
    await db?.destroy();
    await server?.raw('DROP DATABASE IF EXISTS ??', [name]);
    await server?.destroy();
  });

  it('go up, all the way down and up again on an empty database', async () => {
    const applied = await migrateLatest(db);
    expect(applied.length).to.be.greaterThan(0);
    expect(await tablesIn(db)).to.deep.equal([...APP_TABLES, ...KNEX_TABLES].sort());

    const rolledBack = await migrateRollbackAll(db);
    expect(rolledBack).to.have.members(applied);
    expect(await tablesIn(db)).to.deep.equal(KNEX_TABLES);

    expect(await migrateLatest(db)).to.deep.equal(applied);
    expect(await tablesIn(db)).to.deep.equal([...APP_TABLES, ...KNEX_TABLES].sort());
  });

  it('are named by timestamp and applied in that order', async () => {
    await migrateLatest(db);
    const rows = await db('knex_migrations').orderBy('id').select<{ name: string }[]>('name');
    const names = rows.map((r) => r.name);
    for (const n of names) expect(n).to.match(/^\d{14}_[a-z0-9_]+$/);
    expect(names).to.deep.equal([...names].sort());
  });

  it('make every table InnoDB and utf8mb4, and every date-time column DATETIME(3)', async () => {
    await migrateLatest(db);
    const tables = await db('information_schema.tables')
      .where({ table_schema: name })
      .whereIn('table_name', APP_TABLES)
      .select<{ name: string; engine: string; collation: string }[]>(
        'table_name as name',
        'engine',
        'table_collation as collation',
      );
    expect(tables).to.have.length(APP_TABLES.length);
    for (const t of tables) {
      expect(t.engine, t.name).to.equal('InnoDB');
      expect(t.collation, t.name).to.match(/^utf8mb4_/);
    }
    const columns = await db('information_schema.columns')
      .where({ table_schema: name })
      .whereIn('table_name', APP_TABLES)
      .whereIn('data_type', ['datetime', 'timestamp'])
      .select<{ tableName: string; name: string; type: string }[]>(
        'table_name as tableName',
        'column_name as name',
        'column_type as type',
      );
    expect(columns.length).to.be.greaterThan(20);
    for (const c of columns) expect(c.type, `${c.tableName}.${c.name}`).to.equal('datetime(3)');
  });
});

describe('the schema', () => {
  let db: Knex;
  let trx: Knex.Transaction;
  // Other tests share the run's database: unique codes keep these rows from colliding with theirs.
  const tag = () => `Z${randomBytes(5).toString('hex')}`;

  const insertId = async (table: string, row: Record<string, unknown>): Promise<number> => {
    const [id] = await trx(table).insert(row);
    if (id === undefined) throw new Error(`no id from insert into ${table}`);
    return id;
  };

  async function courseWithTwoSections(capacity = 30) {
    const majorId = await insertId('majors', { code: tag(), name: 'Schema Test Major' });
    const professorId = await insertId('professors', { name: 'Test Professor', major_id: majorId });
    const termId = await insertId('terms', {
      code: tag(),
      name: 'Test',
      starts_on: '2027-03-01',
      ends_on: '2027-06-15',
    });
    const courseId = await insertId('courses', {
      code: tag(),
      title: 'Test Course',
      credits: 3,
      major_id: majorId,
      professor_id: professorId,
    });
    const section = (n: number) =>
      insertId('sections', { term_id: termId, course_id: courseId, section_number: n, capacity });
    return { termId, courseId, sectionIds: [await section(1), await section(2)] as const };
  }

  const student = () =>
    insertId('users', { username: tag(), password_hash: 'x', role: 'student', display_name: 'Test Student' });

  before(() => {
    db = createDb(testConfig(), { poolMax: 2 });
  });
  after(async () => {
    await db.destroy();
  });
  // Every test writes inside a transaction that is rolled back, so nothing is left behind.
  beforeEach(async () => {
    trx = await db.transaction();
  });
  afterEach(async () => {
    await trx.rollback();
  });

  it('refuses a section with more enrolled than its capacity', async () => {
    const { sectionIds } = await courseWithTwoSections(2);
    const [sectionId] = sectionIds;
    await trx('sections').where({ id: sectionId }).update({ enrolled: 2 });
    const err = await rejectionOf(trx('sections').where({ id: sectionId }).update({ enrolled: 3 }));
    expect(err.message).to.include('sections_enrolled_within_capacity');
    const row = await trx('sections').where({ id: sectionId }).first<{ enrolled: number }>('enrolled');
    expect(row?.enrolled).to.equal(2);
  });

  it('refuses one seat in two live reservations, and allows it again once released', async () => {
    const userId = await student();
    const eventId = await insertId('events', {
      kind: 'concert',
      title: 'Schema test',
      venue: 'Nowhere',
      starts_at: new Date('2027-01-01T10:00:00Z'),
    });
    const seatId = await insertId('seats', {
      event_id: eventId,
      label: 'F-A-1',
      zone: 'floor',
      price_cents: 1000,
    });
    const reservation = () =>
      insertId('reservations', {
        user_id: userId,
        event_id: eventId,
        amount_cents: 1000,
        hold_expires_at: new Date('2027-01-01T00:10:00Z'),
      });
    const first = await reservation();
    const second = await reservation();
    const firstSeat = await insertId('reservation_seats', {
      reservation_id: first,
      seat_id: seatId,
      price_cents: 1000,
      live_seat_id: seatId,
    });

    const dup = await rejectionOf(
      trx('reservation_seats').insert({
        reservation_id: second,
        seat_id: seatId,
        price_cents: 1000,
        live_seat_id: seatId,
      }),
    );
    expect(dup.code).to.equal('ER_DUP_ENTRY');

    // live_seat_id only protects the seat if it is that seat.
    const otherSeat = await insertId('seats', {
      event_id: eventId,
      label: 'F-A-2',
      zone: 'floor',
      price_cents: 1000,
    });
    const mismatch = await rejectionOf(
      trx('reservation_seats').insert({
        reservation_id: second,
        seat_id: otherSeat,
        price_cents: 1000,
        live_seat_id: seatId,
      }),
    );
    expect(mismatch.message).to.include('reservation_seats_live_seat_is_seat');

    await trx('reservation_seats')
      .where({ id: firstSeat })
      .update({ live_seat_id: null, released_at: new Date() });
    await trx('reservation_seats').insert({
      reservation_id: second,
      seat_id: seatId,
      price_cents: 1000,
      live_seat_id: seatId,
    });
  });

  it('refuses a student in two sections of one course in a term', async () => {
    const { termId, courseId, sectionIds } = await courseWithTwoSections();
    const [a, b] = sectionIds;
    const userId = await student();
    await trx('enrollments').insert({ user_id: userId, section_id: a, course_id: courseId, term_id: termId });
    const err = await rejectionOf(
      trx('enrollments').insert({ user_id: userId, section_id: b, course_id: courseId, term_id: termId }),
    );
    expect(err.code).to.equal('ER_DUP_ENTRY');
    expect(err.message).to.include('enrollments_user_id_term_id_course_id_unique');
  });

  it('refuses a meeting that ends before it starts', async () => {
    const { sectionIds } = await courseWithTwoSections();
    const err = await rejectionOf(
      trx('section_meetings').insert({
        section_id: sectionIds[0],
        day_of_week: 1,
        starts_at: '10:00:00',
        ends_at: '09:00:00',
        room: 'ENG 101',
      }),
    );
    expect(err.message).to.include('section_meetings_starts_before_ends');
  });

  it('refuses registration window grades that are not a JSON array', async () => {
    const termId = await insertId('terms', {
      code: tag(),
      name: 'Test',
      starts_on: '2027-03-01',
      ends_on: '2027-06-15',
    });
    const window = (grades: string) =>
      trx('registration_windows').insert({
        term_id: termId,
        name: 'Test window',
        grades,
        opens_at: new Date('2027-01-01T00:00:00Z'),
        closes_at: new Date('2027-01-08T00:00:00Z'),
      });
    await window('[1,2]');
    const err = await rejectionOf(window('{"grade":4}'));
    expect(err.message).to.include('registration_windows_grades_array');
  });
});
