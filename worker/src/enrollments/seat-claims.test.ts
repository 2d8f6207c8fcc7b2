import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../core/db.js';
import type { SeatClaimPath } from '../../../core/metrics/commit-metrics.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
} from '../../../test/support/catalog-fixture.js';
import { insertQueuedRequests } from '../../../test/support/queued-requests.js';
import { testConfig } from '../../../test/support/test-config.js';
import { commitEnrollmentBatch } from './enrollment-committer.js';

/**
 * How a batch takes its seats (ADR 030): claimed last by a guarded UPDATE when the batch fits with room
 * to spare, locked first otherwise; a late claim whose guard fails is undone and decided again locked.
 * Against the real MySQL, with a second connection playing the batch or the staff member that got there
 * in between.
 */
describe('enrollment seat claims', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let db: Knex;

  before(() => {
    db = createDb(cfg);
  });
  after(() => db.destroy());

  /** A section of `capacity` seats and `count` queued requests for it, one per new student. */
  async function world(capacity: number, count: number) {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity });
    const users = await createStudents(db, count);
    const ids = await insertQueuedRequests(db, {
      roomId: f.roomId,
      kind: 'enrollment',
      users,
      payloads: users.map(() => ({ sectionIds: [sectionId] })),
    });
    return { sectionId, users, ids };
  }

  /** Commits as the worker does (READ COMMITTED), recording the path each attempt took. */
  function commit(ids: number[], claimHeadroom = 0): { paths: SeatClaimPath[]; done: Promise<unknown> } {
    const paths: SeatClaimPath[] = [];
    const done = db.transaction(
      (trx) => commitEnrollmentBatch(trx, ids, new Date(), { claimHeadroom, onClaim: (p) => paths.push(p) }),
      { isolationLevel: 'read committed' },
    );
    return { paths, done };
  }

  const outcomes = (ids: number[]) =>
    db('requests').whereIn('id', ids).orderBy('queue_number').pluck<string[]>('outcome_code');
  const count = async (table: string, column: string, values: number[]) =>
    Number((await db(table).whereIn(column, values).count({ n: '*' }))[0]?.n);
  const enrolledIn = async (sectionId: number) =>
    (await db('sections').where({ id: sectionId }).first<{ enrolled: number }>('enrolled'))?.enrolled;

  /**
   * Resolves once the late claim's locking read of the section is running (the batch's only one: a late
   * batch reads its sections without a lock); it cannot finish before the other transaction, which holds
   * the section, ends (and if it only reaches the row after that commit, it reads the committed row: the
   * same outcome).
   */
  async function claimRunning(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const [rows] = (await db.raw(
        `SELECT COUNT(*) AS n FROM information_schema.processlist
         WHERE command = 'Query' AND info LIKE 'select %from \`sections\` where \`id\` in %for update'`,
      )) as [{ n: number }[]];
      if (Number(rows[0]?.n) > 0) return;
      await sleep(20);
    }
    expect.fail('the seat claim never ran');
  }

  /**
   * Commits `ids` while another transaction has changed the section and holds it: the batch reads the
   * section before that change commits and reaches its claim while the other still holds the row.
   * Returns the paths the batch took.
   */
  async function commitWhileAnotherHolds(
    ids: number[],
    change: (other: Knex.Transaction) => Promise<unknown>,
  ): Promise<SeatClaimPath[]> {
    const other = await db.transaction({ isolationLevel: 'read committed' });
    await change(other);
    const ours = commit(ids);
    await claimRunning();
    await other.commit();
    await ours.done;
    return ours.paths;
  }

  it('claims the seats last when the batch fits, and locks first when it might not', async () => {
    const roomy = await world(5, 3);
    const late = commit(roomy.ids);
    await late.done;
    expect(late.paths).to.deep.equal(['late']);
    expect(await outcomes(roomy.ids)).to.deep.equal(['ENROLLED', 'ENROLLED', 'ENROLLED']);
    expect(await enrolledIn(roomy.sectionId)).to.equal(3);

    // Three wanted of three seats fit, but not with a headroom of one more: locked first.
    const tight = await world(3, 3);
    const locked = commit(tight.ids, 1);
    await locked.done;
    expect(locked.paths).to.deep.equal(['locked']);
    expect(await outcomes(tight.ids)).to.deep.equal(['ENROLLED', 'ENROLLED', 'ENROLLED']);

    // More wanted than seats: locked first, the last seats go in admission order.
    const over = await world(2, 3);
    const full = commit(over.ids);
    await full.done;
    expect(full.paths).to.deep.equal(['locked']);
    expect(await outcomes(over.ids)).to.deep.equal(['ENROLLED', 'ENROLLED', 'SECTION_FULL']);
    expect(await enrolledIn(over.sectionId)).to.equal(2);
  });

  it('undoes a late claim whose seats were taken meanwhile, and decides the batch again on the locked count', async () => {
    const { sectionId, users, ids } = await world(3, 3);
    // Another batch takes two of the three seats; ours read room for all three and wrote for them.
    const paths = await commitWhileAnotherHolds(ids, (other) =>
      other('sections').where({ id: sectionId }).increment('enrolled', 2),
    );
    expect(paths).to.deep.equal(['late_retried']);
    expect(await outcomes(ids)).to.deep.equal(['ENROLLED', 'SECTION_FULL', 'SECTION_FULL']);
    expect(await enrolledIn(sectionId)).to.equal(3);
    // Nothing of the undone attempt is left: one enrollment, one audit row, one notification each.
    expect(await count('enrollments', 'section_id', [sectionId])).to.equal(1);
    expect(await count('audit_log', 'request_id', ids)).to.equal(1);
    expect(await count('notifications', 'user_id', users)).to.equal(3);
  });

  it('refuses every request when staff deactivate the section while the batch writes', async () => {
    const { sectionId, users, ids } = await world(10, 2);
    const paths = await commitWhileAnotherHolds(ids, (staff) =>
      staff('sections').where({ id: sectionId }).update({ active: false }),
    );
    expect(paths).to.deep.equal(['late_retried']);
    expect(await outcomes(ids)).to.deep.equal(['SECTION_INACTIVE', 'SECTION_INACTIVE']);
    expect(await enrolledIn(sectionId)).to.equal(0);
    expect(await count('enrollments', 'section_id', [sectionId])).to.equal(0);
    expect(await count('notifications', 'user_id', users)).to.equal(2);
  });

  it('leaves no enrollment behind when staff delete the section while the batch writes', async () => {
    const { sectionId, ids } = await world(10, 2);
    const paths = await commitWhileAnotherHolds(ids, (staff) =>
      staff('sections').where({ id: sectionId }).delete(),
    );
    expect(paths).to.deep.equal(['late_retried']);
    expect(await outcomes(ids)).to.deep.equal(['SECTION_NOT_FOUND', 'SECTION_NOT_FOUND']);
    // No foreign key would have refused them (ADR 030): the claim's check did.
    expect(await count('enrollments', 'section_id', [sectionId])).to.equal(0);
  });
});
