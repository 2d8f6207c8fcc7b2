import { expect } from 'chai';
import request from 'supertest';
import { IntakeLoad } from '../../../core/admission/intake-load.js';
import { apiInProcess, type ApiInProcess } from '../../../test/support/api-in-process.js';
import { createEnrollmentFixture, createSection } from '../../../test/support/catalog-fixture.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { createTestUser } from '../../../test/support/users.js';

/** An intake load that also counts the submissions it was handed. */
class CountingLoad extends IntakeLoad {
  entered = 0;
  override enter(): () => void {
    this.entered += 1;
    return super.enter();
  }
}

describe("the api's intake load counts authenticated submissions only (ADR 012)", function () {
  this.timeout(15_000);
  const intake = new CountingLoad();
  let api: ApiInProcess;

  before(async () => {
    api = await apiInProcess({}, { intake });
  });
  after(() => api.close());

  it('counts a submission to either router while it is held, and nothing else', async () => {
    const { app, db, cfg } = api;
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 5 });
    const student = `Bearer ${tokenFor(cfg, (await createTestUser(db)).id)}`;
    const body = { sectionIds: [sectionId] };

    // Refused before the handler (no admission token): counted, held until its answer.
    const submitted = await request(app).post('/api/enrollments').set('authorization', student).send(body);
    expect(submitted.status).to.be.within(400, 499);
    expect(intake.entered).to.equal(1);
    const reserved = await request(app).post('/api/reservations').set('authorization', student).send({});
    expect(reserved.status).to.be.within(400, 499);
    expect(intake.entered).to.equal(2);

    // Not counted: no credentials, a read, a payment.
    expect((await request(app).post('/api/enrollments').send(body)).status).to.equal(401);
    await request(app).get('/api/reservations').set('authorization', student);
    const pay = await request(app).post('/api/reservations/1/pay').set('authorization', student).send({});
    expect(pay.status).to.be.within(400, 499);
    expect(intake.entered).to.equal(2);

    // Every counted submission was let go once answered.
    intake.takeWindow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(intake.takeWindow()).to.deep.equal({ held: 0, holdMs: 0 });
  });
});
