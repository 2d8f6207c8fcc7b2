import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb, databaseName } from '../core/db.js';
import { migrateLatest } from '../core/migrate.js';
import { createEnrollmentFixture, createSection, createStudents } from '../test/support/catalog-fixture.js';
import { testConfig } from '../test/support/test-config.js';
import { checkInvariants } from './verify.js';

describe('the invariant checker (npm run verify)', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  const name = `${databaseName(cfg.db.url)}_verify`;
  let server: Knex;
  let db: Knex;

  before(async () => {
    server = createDb(cfg, { database: '' });
    await server.raw('CREATE DATABASE ??', [name]);
    db = createDb(cfg, { database: name });
    await migrateLatest(db);
  });
  after(async () => {
    await db.destroy();
    await server.raw('DROP DATABASE IF EXISTS ??', [name]);
    await server.destroy();
  });

  it('reports all zero for consistent data, and counts each kind of breakage', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId, courseId } = await createSection(db, f, { capacity: 2 });
    const [a, b, c] = (await createStudents(db, 3)) as [number, number, number];
    await db('enrollments').insert([
      { user_id: a, section_id: sectionId, course_id: courseId, term_id: f.termId },
      { user_id: b, section_id: sectionId, course_id: courseId, term_id: f.termId },
    ]);
    await db('sections').where({ id: sectionId }).update({ enrolled: 2 });
    expect(await checkInvariants(db)).to.deep.equal({
      oversold: 0,
      double_booked: 0,
      count_mismatches: 0,
      broken_references: 0,
      unresolved: 0,
    });

    // A stored count that disagrees with the rows.
    await db('sections').where({ id: sectionId }).update({ enrolled: 1 });
    expect((await checkInvariants(db)).count_mismatches).to.equal(1);
    // More rows than seats (the CHECK constraint only guards the counter, not the rows).
    await db('enrollments').insert({
      user_id: c,
      section_id: sectionId,
      course_id: courseId,
      term_id: f.termId,
    });
    expect((await checkInvariants(db)).oversold).to.equal(1);
    // An enrollment whose copied course is not its section's (no foreign key refuses it: ADR 030), and
    // one whose section is gone.
    const other = await createSection(db, f, { capacity: 2 });
    const [d] = (await createStudents(db, 1)) as [number];
    await db('enrollments').insert([
      { user_id: d, section_id: sectionId, course_id: other.courseId, term_id: f.termId },
      { user_id: d, section_id: other.sectionId + 1_000_000, course_id: courseId, term_id: f.termId },
    ]);
    expect((await checkInvariants(db)).broken_references).to.equal(2);
    // An accepted request that never ended.
    await db('requests').insert({
      user_id: a,
      idempotency_key: 'never-ended',
      kind: 'enrollment',
      payload: '{"sectionIds":[1]}',
      commit_job_id: 'never-enqueued',
    });
    expect((await checkInvariants(db)).unresolved).to.equal(1);
  });
});
