import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../core/db.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
} from '../../../test/support/catalog-fixture.js';
import { createSale } from '../../../test/support/event-fixture.js';
import { rowsOnlyReservationCommitter } from '../../../test/support/committers.js';
import { insertQueuedRequests } from '../../../test/support/queued-requests.js';
import { testConfig } from '../../../test/support/test-config.js';
import { commitEnrollmentBatch } from '../enrollments/enrollment-committer.js';

/**
 * What staff deactivated is never granted: the committers read `active` from the rows they lock, so a
 * section or seat deactivated while requests wait in the queue is refused when they are decided.
 */
describe('committers refuse what staff deactivated', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let db: Knex;

  before(() => {
    db = createDb(cfg);
  });
  after(() => db.destroy());

  /** Queued requests, one per new student, in admission order. */
  const queued = async (kind: 'enrollment' | 'reservation', roomId: number, payloads: unknown[]) =>
    insertQueuedRequests(db, { roomId, kind, users: await createStudents(db, payloads.length), payloads });
  const outcomes = (ids: number[]) =>
    db('requests').whereIn('id', ids).orderBy('id').pluck<string[]>('outcome_code');

  it('rejects an inactive section with SECTION_INACTIVE and takes no seat in it', async () => {
    const f = await createEnrollmentFixture(db);
    const off = await createSection(db, f, { capacity: 5 });
    const on = await createSection(db, f, { capacity: 5, meetings: [[2, '09:00', '09:50']] });
    await db('sections').where({ id: off.sectionId }).update({ active: false });
    const ids = await queued('enrollment', f.roomId, [
      { sectionIds: [off.sectionId] },
      { sectionIds: [on.sectionId, off.sectionId] },
    ]);
    await db.transaction((trx) => commitEnrollmentBatch(trx, ids, new Date()));
    expect(await outcomes(ids)).to.deep.equal(['SECTION_INACTIVE', 'PARTIALLY_ENROLLED']);
    expect(await db('sections').where({ id: off.sectionId }).first('enrolled')).to.deep.equal({
      enrolled: 0,
    });
    expect(await db('enrollments').where({ section_id: off.sectionId }).count({ n: '*' })).to.deep.equal([
      { n: 0 },
    ]);
  });

  it('rejects a chosen inactive seat with SEAT_INACTIVE, and best available skips inactive seats', async () => {
    const sale = await createSale(db, { rows: 1, seatsPerRow: 4 });
    await db('seats')
      .where({ event_id: sale.eventId })
      .whereIn('label', ['A1', 'A2'])
      .update({ active: false });
    const ids = await queued('reservation', sale.roomId, [
      { eventId: sale.eventId, seatLabels: ['A3', 'A1'] },
      { eventId: sale.eventId, zone: 'main', count: 2 },
      { eventId: sale.eventId, zone: 'main', count: 1 },
    ]);
    const commit = rowsOnlyReservationCommitter();
    await db.transaction((trx) => commit(trx, ids, new Date()));
    expect(await outcomes(ids)).to.deep.equal(['SEAT_INACTIVE', 'SEATS_HELD', 'NOT_ENOUGH_SEATS']);
    // The outcome column keeps the details, so the buyer is told which seats went off sale.
    const [details] = await db('requests').where({ id: ids[0] }).pluck<unknown[]>('outcome');
    expect(typeof details === 'string' ? JSON.parse(details) : details).to.deep.equal({ seatLabels: ['A1'] });
    const held = await db('seats')
      .where({ event_id: sale.eventId, status: 'held' })
      .orderBy('label')
      .pluck<string[]>('label');
    expect(held).to.deep.equal(['A3', 'A4']);
  });
});
