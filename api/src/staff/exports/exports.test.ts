import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { apiInProcess, type ApiInProcess } from '../../../../test/support/api-in-process.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
} from '../../../../test/support/catalog-fixture.js';
import { createSale } from '../../../../test/support/event-fixture.js';
import { tokenFor } from '../../../../test/support/tokens.js';
import { createTestUser } from '../../../../test/support/users.js';
import { parseCsv } from '../imports/csv-parse.js';

/** supertest buffers text/csv as text; the rows as parsed back by the import's own parser. */
const rowsOf = (body: string) => parseCsv(body).records.map((r) => r.fields);

describe('staff exports: rosters, a term’s enrollments and an event’s sales as CSV', function () {
  this.timeout(60_000);
  let api: ApiInProcess;
  let staff: string;
  let student: string;

  before(async () => {
    api = await apiInProcess();
    staff = `Bearer ${tokenFor(api.cfg, (await createTestUser(api.db, 'staff')).id, 'staff')}`;
    student = `Bearer ${tokenFor(api.cfg, (await createTestUser(api.db, 'student')).id, 'student')}`;
  });
  after(() => api.close());

  const get = (path: string, auth = staff) =>
    request(api.app).get(`/api/staff/exports${path}`).set('authorization', auth).buffer(true);

  it('refuses students (403), bad ids (400) and unknown ones (404)', async () => {
    expect((await get('/sections/1/roster.csv', student)).status).to.equal(403);
    expect((await get('/terms/1/enrollments.csv', student)).status).to.equal(403);
    expect((await get('/events/1/sales.csv', student)).status).to.equal(403);
    const bad = await get('/sections/0x1/roster.csv');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('VALIDATION_FAILED');
    expect((await get('/sections/999999999/roster.csv')).body.error.code).to.equal('SECTION_NOT_FOUND');
    expect((await get('/terms/999999999/enrollments.csv')).body.error.code).to.equal('TERM_NOT_FOUND');
    expect((await get('/events/999999999/sales.csv')).body.error.code).to.equal('EVENT_NOT_FOUND');
  });

  it('exports a roster and a term’s enrollments, escaped and safe to open in a spreadsheet, across batches', async () => {
    const f = await createEnrollmentFixture(api.db);
    const { sectionId, courseId } = await createSection(api.db, f, { capacity: 5_000 });
    const other = await createSection(api.db, f, { capacity: 10 });
    const ids = await createStudents(api.db, 2_345);
    const tag = randomBytes(3).toString('hex');
    await api
      .db('users')
      .where({ id: ids[0] })
      .update({
        display_name: '=HYPERLINK("http://evil")',
        student_number: `N${tag}0`,
        major_id: f.majorId,
      });
    await api
      .db('users')
      .where({ id: ids[1] })
      .update({ display_name: 'Smith, "Jo"\nJr', student_number: `N${tag}1` });
    const rows = ids.map((id) => ({
      user_id: id,
      section_id: sectionId,
      course_id: courseId,
      term_id: f.termId,
    }));
    for (let i = 0; i < rows.length; i += 1_000) await api.db('enrollments').insert(rows.slice(i, i + 1_000));
    await api
      .db('enrollments')
      .insert({ user_id: ids[0], section_id: other.sectionId, course_id: other.courseId, term_id: f.termId });

    const res = await get(`/sections/${sectionId}/roster.csv`);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/csv/);
    expect(res.headers['content-disposition']).to.equal(
      `attachment; filename="section-${sectionId}-roster.csv"`,
    );
    const roster = rowsOf(res.text);
    expect(roster[0]).to.deep.equal(['student_number', 'name', 'username', 'major', 'grade', 'enrolled_at']);
    expect(roster).to.have.length(1 + 2_345);
    expect(roster[1]!.slice(0, 5)).to.deep.equal([
      `N${tag}0`,
      `'=HYPERLINK("http://evil")`,
      roster[1]![2],
      `M${f.tag}`,
      '2',
    ]);
    expect(roster[1]![5]).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(roster[2]![1]).to.equal('Smith, "Jo"\nJr');
    expect(new Set(roster.slice(1).map((r) => r[2])).size).to.equal(2_345);

    const term = await get(`/terms/${f.termId}/enrollments.csv`);
    expect(term.status).to.equal(200);
    const all = rowsOf(term.text);
    expect(all[0]!.slice(0, 4)).to.deep.equal([
      'course_code',
      'course_title',
      'section_number',
      'student_number',
    ]);
    expect(all).to.have.length(1 + 2_346);
  });

  it('exports an event’s sales with seats, payments and refunds', async () => {
    const sale = await createSale(api.db, { rows: 1, seatsPerRow: 3 });
    const buyer = await createTestUser(api.db, 'student');
    const reserve = async (status: string, seats: number[], payments: [string, number][]) => {
      const [id] = await api.db('reservations').insert({
        user_id: buyer.id,
        event_id: sale.eventId,
        status,
        amount_cents: seats.length * 5_000,
        hold_expires_at: new Date(Date.now() + 600_000),
      });
      await api.db('reservation_seats').insert(
        seats.map((i) => ({
          reservation_id: id,
          seat_id: sale.seats[i]!.id,
          price_cents: 5_000,
          live_seat_id: status === 'cancelled' ? null : sale.seats[i]!.id,
        })),
      );
      for (const [pstatus, amount] of payments)
        await api.db('payments').insert({
          reservation_id: id,
          amount_cents: amount,
          status: pstatus,
          provider: 'fake',
          idempotency_key: randomBytes(8).toString('hex'),
        });
      return id!;
    };
    const confirmed = await reserve(
      'confirmed',
      [1, 0],
      [
        ['failed', 10_000],
        ['succeeded', 10_000],
      ],
    );
    const refunded = await reserve('cancelled', [2], [['refunded', 5_000]]);

    const res = await get(`/events/${sale.eventId}/sales.csv`);
    expect(res.status).to.equal(200);
    expect(res.headers['content-disposition']).to.equal(
      `attachment; filename="event-${sale.eventId}-sales.csv"`,
    );
    const rows = rowsOf(res.text);
    expect(rows[0]).to.deep.equal([
      'reservation_id',
      'buyer_username',
      'buyer_name',
      'status',
      'seats',
      'amount_cents',
      'charged_cents',
      'refunded_cents',
      'payments',
      'created_at',
      'paid_at',
      'cancelled_at',
    ]);
    expect(rows).to.have.length(3);
    const [, c, r] = rows;
    expect(c!.slice(0, 8)).to.deep.equal([
      String(confirmed),
      buyer.username,
      'Test student',
      'confirmed',
      'A1 A2',
      '10000',
      '10000',
      '0',
    ]);
    expect(c![8]).to.match(/^\d+:failed:10000 \d+:succeeded:10000$/);
    expect(r!.slice(0, 8)).to.deep.equal([
      String(refunded),
      buyer.username,
      'Test student',
      'cancelled',
      'A3',
      '5000',
      '5000',
      '5000',
    ]);
  });
});
