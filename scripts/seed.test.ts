import { expect } from 'chai';
import type { Knex } from 'knex';
import { verifyPassword } from '../core/auth/password.js';
import { createDb, databaseName } from '../core/db.js';
import { migrateLatest } from '../core/migrate.js';
import { testConfig } from '../test/support/test-config.js';
import {
  DEMO_ADMIN_PASSWORD,
  DEMO_ADMIN_USERNAME,
  DEMO_STUDENT_COUNT,
  DEMO_STUDENT_PASSWORD,
} from './seed/demo-accounts.js';
import { seedDemo, seedIfEmpty, truncateAllTables, type SeedCounts } from './seed/seed-demo.js';

const countOf = async (query: Knex.QueryBuilder): Promise<number> => {
  const row = (await query.count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
};

interface RoomRow {
  kind: string;
  event_id: number | null;
  registration_window_id: number | null;
  prequeue_opens_at: Date;
  opens_at: Date;
}

describe('seedDemo', function () {
  this.timeout(120_000);
  const cfg = testConfig();
  // Its own database: the seed fills tables that other tests expect to hold only their own rows.
  const name = `${databaseName(cfg.db.url)}_seed`;
  let server: Knex;
  let db: Knex;
  let counts: SeedCounts;

  before(async () => {
    server = createDb(cfg, { database: '' });
    await server.raw('DROP DATABASE IF EXISTS ??', [name]);
    await server.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
    db = createDb(cfg, { database: name, poolMax: 4 });
    await migrateLatest(db);
    counts = await seedDemo(db);
  });

  after(async () => {
    await db?.destroy();
    await server?.raw('DROP DATABASE IF EXISTS ??', [name]);
    await server?.destroy();
  });

  it('builds a catalogue of a real size, and reports what it inserted', async () => {
    expect(counts.majors).to.be.at.least(10);
    expect(counts.courses).to.be.at.least(300);
    expect(counts.sections).to.be.at.least(600);
    expect(counts.professors).to.be.at.least(50);
    expect(await countOf(db('majors'))).to.equal(counts.majors);
    expect(await countOf(db('professors'))).to.equal(counts.professors);
    expect(await countOf(db('courses'))).to.equal(counts.courses);
    expect(await countOf(db('sections'))).to.equal(counts.sections);
    expect(await countOf(db('section_meetings'))).to.equal(counts.sectionMeetings);
    expect(await countOf(db('terms'))).to.equal(1);
    expect(await countOf(db('courses').whereNotBetween('credits', [1, 4]))).to.equal(0);
    expect(await countOf(db('sections').whereNotBetween('capacity', [20, 300]))).to.equal(0);
  });

  it('gives every section meeting slots, none ending before it starts, all between 08:00 and 18:00', async () => {
    const withoutMeetings = db('sections as s').whereNotExists(
      db('section_meetings as m').whereRaw('m.section_id = s.id').select(db.raw('1')),
    );
    expect(await countOf(withoutMeetings)).to.equal(0);
    expect(await countOf(db('section_meetings').whereRaw('ends_at <= starts_at'))).to.equal(0);
    expect(await countOf(db('section_meetings').where('starts_at', '<', '08:00:00'))).to.equal(0);
    expect(await countOf(db('section_meetings').where('ends_at', '>', '18:00:00'))).to.equal(0);
  });

  it('creates exactly 20,000 students, student00001 to student20000, sharing the demo password', async () => {
    expect(counts.students).to.equal(DEMO_STUDENT_COUNT);
    const students = db('users').where({ role: 'student' });
    expect(await countOf(students.clone())).to.equal(20_000);
    const range = (await students.clone().min({ first: 'username' }).max({ last: 'username' }).first()) as {
      first: string;
      last: string;
    };
    expect(range).to.deep.equal({ first: 'student00001', last: 'student20000' });
    expect(await countOf(students.clone().whereNotBetween('grade', [1, 4]))).to.equal(0);
    expect(await countOf(students.clone().whereNotIn('credit_limit', [18, 21]))).to.equal(0);
    expect(await countOf(students.clone().whereNull('major_id'))).to.equal(0);
    const grades = await students.clone().distinct('grade').pluck<number[]>('grade');
    expect(grades.sort()).to.deep.equal([1, 2, 3, 4]);
    const one = await db('users').where({ username: 'student00001' }).first<{ password_hash: string }>();
    expect(await verifyPassword(DEMO_STUDENT_PASSWORD, one?.password_hash ?? '')).to.equal(true);
  });

  it('creates one staff account, admin, whose demo password verifies', async () => {
    const staff = await db('users')
      .where({ role: 'staff' })
      .select<{ username: string; password_hash: string }[]>();
    expect(staff.map((s) => s.username)).to.deep.equal([DEMO_ADMIN_USERNAME]);
    expect(await verifyPassword(DEMO_ADMIN_PASSWORD, staff[0]?.password_hash ?? '')).to.equal(true);
    expect(await verifyPassword(DEMO_STUDENT_PASSWORD, staff[0]?.password_hash ?? '')).to.equal(false);
  });

  it('seats a flight with at least 300 seats and a concert with at least 5,000', async () => {
    const events = await db('events').select<{ id: number; kind: string }[]>('id', 'kind');
    expect(events.map((e) => e.kind).sort()).to.deep.equal(['concert', 'flight']);
    const seatsOf = (kind: string) =>
      countOf(db('seats').where({ event_id: events.find((e) => e.kind === kind)?.id }));
    expect(await seatsOf('flight'))
      .to.be.at.least(300)
      .and.equal(counts.flightSeats);
    expect(await seatsOf('concert'))
      .to.be.at.least(5_000)
      .and.equal(counts.concertSeats);
    expect(await countOf(db('seats').whereNot({ status: 'free' }))).to.equal(0);
    const zones = await db('seats').distinct('zone').pluck<string[]>('zone');
    expect(zones.sort()).to.deep.equal(['business', 'economy', 'floor', 'lower', 'upper']);
  });

  it('places every seat on its map: one seat per cell, the cabin aisle and the gaps between arena zones', async () => {
    const events = await db('events').select<{ id: number; kind: string }[]>('id', 'kind');
    const seatsOf = (kind: string) =>
      db('seats')
        .where({ event_id: events.find((e) => e.kind === kind)?.id })
        .select<
          {
            label: string;
            zone: string;
            row_label: string | null;
            pos_x: number | null;
            pos_y: number | null;
          }[]
        >('label', 'zone', 'row_label', 'pos_x', 'pos_y');
    for (const kind of ['flight', 'concert']) {
      const seats = await seatsOf(kind);
      expect(
        seats.filter((s) => s.pos_x === null || s.pos_y === null || !s.row_label),
        kind,
      ).to.deep.equal([]);
      expect(new Set(seats.map((s) => `${s.pos_x},${s.pos_y}`)).size, `${kind}: a cell per seat`).to.equal(
        seats.length,
      );
    }
    const cabin = await seatsOf('flight');
    const at = (label: string) => cabin.find((s) => s.label === label);
    expect(at('1A')).to.include({ pos_x: 0, pos_y: 0, row_label: '1' });
    expect(at('1C')).to.include({ pos_x: 2, pos_y: 0 });
    expect(at('1D')).to.include({ pos_x: 4, pos_y: 0 });
    expect(at('52F')).to.include({ pos_x: 6, pos_y: 51, row_label: '52' });
    expect(
      cabin.filter((s) => s.pos_x === 3),
      'nobody in the aisle',
    ).to.deep.equal([]);
    const arena = await seatsOf('concert');
    const rowsOf = (zone: string) => arena.filter((s) => s.zone === zone).map((s) => s.pos_y as number);
    const [floor, lower, upper] = ['floor', 'lower', 'upper'].map(rowsOf) as [number[], number[], number[]];
    expect(Math.min(...lower)).to.equal(Math.max(...floor) + 2);
    expect(Math.min(...upper)).to.equal(Math.max(...lower) + 2);
  });

  it('opens a waiting room for each event and one for a registration window open to every grade', async () => {
    const rooms = await db('waiting_rooms').select<RoomRow[]>();
    const events = await db('events').pluck<number[]>('id');
    expect(rooms.filter((r) => r.kind === 'sale').map((r) => r.event_id)).to.have.members(events);
    const registration = rooms.filter((r) => r.kind === 'registration');
    expect(registration).to.have.length(1);
    const window = await db('registration_windows')
      .where({ id: registration[0]?.registration_window_id ?? 0 })
      .first<{ grades: string | number[] }>();
    const grades =
      typeof window?.grades === 'string' ? (JSON.parse(window.grades) as number[]) : window?.grades;
    expect(grades).to.deep.equal([1, 2, 3, 4]);
    for (const r of rooms) {
      expect(r.prequeue_opens_at.getTime()).to.be.below(r.opens_at.getTime());
      expect(r.opens_at.getTime()).to.be.above(Date.now());
    }
  });

  it('does nothing when asked to seed only an empty database that already has users', async () => {
    const before = await countOf(db('users'));
    expect(await seedIfEmpty(db)).to.equal(null);
    expect(await countOf(db('users'))).to.equal(before);
    expect(await countOf(db('courses'))).to.equal(counts.courses);
  });

  it('builds the same catalogue again after the tables are emptied (seeded PRNG)', async () => {
    const snapshot = () =>
      db('sections as s')
        .join('courses as c', 'c.id', 's.course_id')
        .orderBy(['c.code', 's.section_number'])
        .select('c.code', 'c.title', 'c.credits', 's.section_number', 's.capacity');
    const first = await snapshot();
    const emptied = await truncateAllTables(db);
    expect(emptied).to.include.members(['users', 'courses', 'seats']);
    expect(emptied).to.not.include('knex_migrations');
    expect(await countOf(db('users'))).to.equal(0);
    const again = await seedIfEmpty(db, { students: 10 });
    expect(again?.students).to.equal(10);
    expect(await snapshot()).to.deep.equal(first);
  });
});
