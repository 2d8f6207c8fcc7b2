import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import request from 'supertest';
import { apiInProcess, type ApiInProcess } from '../../../../test/support/api-in-process.js';
import { createSale } from '../../../../test/support/event-fixture.js';
import { tokenFor } from '../../../../test/support/tokens.js';
import { createTestUser } from '../../../../test/support/users.js';

const sample = readFileSync(new URL('../../../../docs/samples/seats-sample.csv', import.meta.url), 'utf8');

describe('staff imports: an event’s seat map from CSV', function () {
  this.timeout(30_000);
  let api: ApiInProcess;
  let staff: string;
  let staffId: number;
  let student: string;

  before(async () => {
    api = await apiInProcess();
    const s = await createTestUser(api.db, 'staff');
    staffId = s.id;
    staff = `Bearer ${tokenFor(api.cfg, s.id, 'staff')}`;
    student = `Bearer ${tokenFor(api.cfg, (await createTestUser(api.db, 'student')).id, 'student')}`;
  });
  after(() => api.close());

  const post = (eventId: number, csv: string, dryRun: boolean, auth = staff) =>
    request(api.app)
      .post('/api/staff/imports/seats')
      .query({ eventId: String(eventId), dryRun: String(dryRun) })
      .set('authorization', auth)
      .set('content-type', 'text/csv')
      .send(csv);

  const seatsOf = (eventId: number) =>
    api
      .db('seats')
      .where({ event_id: eventId })
      .orderBy('label')
      .select('label', 'zone', 'row_label', 'pos_x', 'pos_y', 'price_cents');

  it('refuses students (403), a bad query (400) and a missing event (404)', async () => {
    const sale = await createSale(api.db, { rows: 1, seatsPerRow: 1 });
    expect((await post(sale.eventId, sample, true, student)).status).to.equal(403);
    const bad = await request(api.app)
      .post('/api/staff/imports/seats?eventId=1e3')
      .set('authorization', staff)
      .set('content-type', 'text/csv')
      .send(sample);
    expect(bad.status).to.equal(400);
    expect((await post(999_999_999, sample, true)).body.error.code).to.equal('EVENT_NOT_FOUND');
  });

  it('dry-runs the sample (valid, nothing written), then imports it, upserting by label, audited', async () => {
    const sale = await createSale(api.db, { rows: 1, seatsPerRow: 2 });
    const before = await seatsOf(sale.eventId);
    const dry = await post(sale.eventId, sample, true);
    expect(dry.body).to.deep.equal({ dryRun: true, valid: true, errors: [], wouldImport: { seats: 16 } });
    expect(await seatsOf(sale.eventId)).to.deep.equal(before);

    const res = await post(sale.eventId, sample, false);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({ dryRun: false, imported: { seats: 16 } });
    const seats = await seatsOf(sale.eventId);
    // A1 and A2 existed: updated in place, not duplicated.
    expect(seats).to.have.length(16);
    expect(seats[0]).to.deep.equal({
      label: 'A1',
      zone: 'front',
      row_label: 'A',
      pos_x: 0,
      pos_y: 0,
      price_cents: 12_000,
    });
    const audit = await api
      .db('audit_log')
      .where({ entity: 'import', entity_id: `seats:event:${sale.eventId}` })
      .select('actor_user_id', 'before', 'after');
    expect(audit).to.have.length(1);
    expect(audit[0].actor_user_id).to.equal(staffId);
    const parse = (v: unknown): unknown => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
    expect(parse(audit[0].before)).to.deep.equal({ seats: 2 });
    expect(parse(audit[0].after)).to.deep.equal({
      kind: 'seats',
      eventId: sale.eventId,
      seats: 16,
      total: 16,
    });
  });

  it('reports every bad line (line, column, reason) and imports nothing', async () => {
    const sale = await createSale(api.db, { rows: 1, seatsPerRow: 1 });
    const before = await seatsOf(sale.eventId);
    const csv = [
      'label,zone,row,x,y,price_cents',
      'A1,front,A,0,0,100',
      'A2,front,A,1,0,-5',
      'a1,front,A,2,0,100',
      'A3,,A,3,0,100',
      'A4,front,A,0,0,100',
      'A5,front,A,5',
    ].join('\n');
    const expected = [
      { line: 3, column: 'price_cents', reason: 'must be a whole number from 0 to 100000000' },
      { line: 4, column: 'label', reason: 'repeats the seat of line 2' },
      { line: 5, column: 'zone', reason: 'is required' },
      { line: 6, column: 'x', reason: 'puts a seat on the spot of line 2' },
      { line: 7, column: null, reason: 'has 4 fields; the header has 6' },
    ];
    const dry = await post(sale.eventId, csv, true);
    expect(dry.body.errors).to.deep.equal(expected);
    const real = await post(sale.eventId, csv, false);
    expect(real.status).to.equal(422);
    expect(real.body.error.details.errors).to.deep.equal(expected);
    expect(await seatsOf(sale.eventId)).to.deep.equal(before);
  });

  it('refuses while the sale room is open (409 SALE_ROOM_OPEN)', async () => {
    const sale = await createSale(api.db, { rows: 1, seatsPerRow: 1 });
    await api.db('waiting_rooms').where({ id: sale.roomId }).update({ state: 'open' });
    for (const dryRun of [true, false]) {
      const res = await post(sale.eventId, sample, dryRun);
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('SALE_ROOM_OPEN');
    }
    expect(await seatsOf(sale.eventId)).to.have.length(1);
  });

  it('refuses once seats are held or sold (409 EVENT_HAS_SALES)', async () => {
    const sale = await createSale(api.db, { rows: 1, seatsPerRow: 2 });
    await api.db('seats').where({ id: sale.seats[0]!.id }).update({ status: 'sold' });
    const res = await post(sale.eventId, sample, false);
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('EVENT_HAS_SALES');
    expect(await seatsOf(sale.eventId)).to.have.length(2);
  });
});
