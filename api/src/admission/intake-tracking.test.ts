import { expect } from 'chai';
import type { Knex } from 'knex';
import request from 'supertest';
import { IntakeLoad } from '../../../core/admission/intake-load.js';
import { createDb } from '../../../core/db.js';
import { CommitQueues } from '../../../core/queues.js';
import { createRedis, waitForRedis, type Redis } from '../../../core/redis.js';
import { createEnrollmentFixture, createSection } from '../../../test/support/catalog-fixture.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { createTestUser } from '../../../test/support/users.js';
import { buildApiApp } from '../app.js';

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
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let queues: CommitQueues;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
  });
  after(async () => {
    await queues.close();
    await db.destroy();
    redis.disconnect();
  });

  it('counts a submission to either router while it is held, and nothing else', async () => {
    const intake = new CountingLoad();
    const app = buildApiApp({ cfg, logger: testLogger, db, redis, queues, intake });
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
    intake.takeAverage();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(intake.takeAverage()).to.equal(0);
  });
});
