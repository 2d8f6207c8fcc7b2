import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { writeAudit } from '../../../../core/audit.js';
import { apiInProcess, type ApiInProcess } from '../../../../test/support/api-in-process.js';
import { tokenFor } from '../../../../test/support/tokens.js';
import { createTestUser, type TestUser } from '../../../../test/support/users.js';

describe('staff: the audit log', function () {
  this.timeout(15_000);
  let api: ApiInProcess;
  let alice: TestUser;
  let bob: TestUser;
  let asStaff: string;
  // An entity name of this run's own, so rows other tests write never show up in these pages.
  const entity = `t${randomBytes(4).toString('hex')}`;
  const ids: number[] = [];

  before(async () => {
    api = await apiInProcess();
    alice = await createTestUser(api.db, 'staff');
    bob = await createTestUser(api.db, 'staff');
    asStaff = `Bearer ${tokenFor(api.cfg, alice.id, 'staff')}`;
    const writes: [TestUser | null, string, string][] = [
      [alice, '1', 'create'],
      [bob, '1', 'update'],
      [alice, '2', 'create'],
      [null, '2', 'expire'],
      [bob, '1', 'update'],
    ];
    for (const [actor, entityId, action] of writes) {
      await writeAudit(api.db, {
        actorUserId: actor?.id ?? null,
        entity,
        entityId,
        action,
        before: action === 'create' ? undefined : { n: ids.length - 1 },
        after: { n: ids.length },
      });
      const row = await api.db('audit_log').max<{ id: number }[]>('id as id');
      ids.push(row[0]?.id as number);
    }
  });
  after(() => api.close());

  const page = (qs: string) =>
    request(api.app).get(`/api/staff/audit?entity=${entity}&${qs}`).set('authorization', asStaff);
  const idsOf = (res: { body: { entries: { id: number }[] } }) => res.body.entries.map((e) => e.id);

  it('refuses students with 403', async () => {
    const res = await request(api.app)
      .get('/api/staff/audit')
      .set('authorization', `Bearer ${tokenFor(api.cfg, (await createTestUser(api.db)).id)}`);
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal('FORBIDDEN');
  });

  it('answers newest first with the actor and parsed before/after, paged by id', async () => {
    const first = await page('limit=2');
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(idsOf(first)).to.deep.equal([ids[4], ids[3]]);
    const top = first.body.entries[0];
    expect(top).to.deep.include({
      entity,
      entityId: '1',
      action: 'update',
      before: { n: 3 },
      after: { n: 4 },
    });
    expect(top.actor).to.deep.equal({ id: bob.id, username: bob.username, displayName: 'Test staff' });
    expect(first.body.entries[1].actor).to.equal(null);
    expect(first.body.nextBefore).to.equal(ids[3]);

    const second = await page(`limit=2&before=${first.body.nextBefore}`);
    expect(idsOf(second)).to.deep.equal([ids[2], ids[1]]);
    const last = await page(`limit=2&before=${second.body.nextBefore}`);
    expect(idsOf(last)).to.deep.equal([ids[0]]);
    expect(last.body.entries[0].before).to.equal(null);
    expect(last.body.nextBefore).to.equal(null);
  });

  it('filters by actor, entity id, action and time', async () => {
    expect(idsOf(await page(`actor=${alice.id}`))).to.deep.equal([ids[2], ids[0]]);
    expect(idsOf(await page('entityId=2'))).to.deep.equal([ids[3], ids[2]]);
    expect(idsOf(await page('action=update&entityId=1'))).to.deep.equal([ids[4], ids[1]]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect(idsOf(await page(`from=${future}`))).to.deep.equal([]);
    expect(idsOf(await page(`from=${past}&to=${future}`))).to.have.length(5);
  });

  it('refuses bad filters with 400', async () => {
    for (const qs of [
      'actor=0x1',
      'before=01',
      'limit=201',
      'from=yesterday',
      `from=${new Date().toISOString()}&to=${new Date(Date.now() - 1000).toISOString()}`,
      'nope=1',
      `entityId=${'x'.repeat(65)}`,
    ]) {
      const res = await page(qs);
      expect(res.status, qs).to.equal(400);
      expect(res.body.error.code, qs).to.equal('VALIDATION_FAILED');
    }
  });
});
