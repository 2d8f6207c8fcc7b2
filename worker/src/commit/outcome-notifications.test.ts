import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../core/db.js';
import { createRedis, waitForRedis, type Redis } from '../../../core/redis.js';
import { newCommitJobId } from '../../../core/requests/request-types.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
} from '../../../test/support/catalog-fixture.js';
import { testRequestCommitter } from '../../../test/support/committers.js';
import { testConfig } from '../../../test/support/test-config.js';
import { commitEnrollmentBatch } from '../enrollments/enrollment-committer.js';
import { failQueuedRequests } from './outcome-writer.js';
import { OutcomeReporter } from './outcome-reporter.js';

interface NotificationRow {
  id: number;
  user_id: number;
  kind: string;
  code: string;
  link: string;
}

describe('outcome notifications: one per decided request, written with the outcome', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
  });
  after(async () => {
    await db.destroy();
    redis.disconnect();
  });

  /** Queued enrollment requests for one section, one per student, as the api records them (no job). */
  async function queued(count: number, capacity: number) {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity });
    const users = await createStudents(db, count);
    const rows = users.map((userId, i) => ({
      user_id: userId,
      room_id: f.roomId,
      idempotency_key: `notify-${randomUUID()}`,
      kind: 'enrollment',
      payload: JSON.stringify({ sectionIds: [sectionId] }),
      queue_number: i + 1,
      commit_job_id: newCommitJobId(),
    }));
    for (let i = 0; i < rows.length; i += 1_000) await db('requests').insert(rows.slice(i, i + 1_000));
    const ids = await db('requests').whereIn('user_id', users).orderBy('id').pluck<number[]>('id');
    return { ids, users, roomId: f.roomId };
  }

  const notificationsOf = (users: number[]) =>
    db('notifications').whereIn('user_id', users).orderBy('id').select<NotificationRow[]>();

  it('writes a batch of 1,000 outcomes’ notifications in one INSERT, each linked to its request', async () => {
    const { ids, users, roomId } = await queued(1_000, 600);
    const counted = createDb(cfg, { poolMax: 2 });
    const inserts: string[] = [];
    counted.on('query', (q: { sql: string }) => {
      if (/^insert into `notifications`/i.test(q.sql)) inserts.push(q.sql);
    });
    try {
      const results = await testRequestCommitter(counted).commit(ids, 'enrollment');
      expect(inserts, 'INSERT statements into notifications').to.have.length(1);
      const written = await notificationsOf(users);
      expect(written).to.have.length(1_000);
      const codes = written.map((n) => n.code);
      expect(codes.filter((c) => c === 'ENROLLED')).to.have.length(600);
      expect(codes.filter((c) => c === 'SECTION_FULL')).to.have.length(400);
      // Each result carries its notification as written, id included (for the push after the commit).
      const byId = new Map(written.map((n) => [n.id, n]));
      for (const r of results) {
        if (r.kind !== 'decided') expect.fail(`not decided: ${JSON.stringify(r)}`);
        const n = byId.get(r.notification?.view.id ?? 0);
        expect(n, `notification of request ${r.row.id}`).to.not.equal(undefined);
        expect(n).to.include({ user_id: r.row.user_id, kind: 'request', code: r.outcome.code });
        const link = (typeof n!.link === 'string' ? JSON.parse(n!.link) : n!.link) as Record<string, number>;
        expect(link).to.deep.equal({ requestId: r.row.id, roomId });
        expect(r.notification?.view.params).to.include({
          requestKind: 'enrollment',
          granted: r.outcome.status === 'committed' ? 1 : 0,
          asked: 1,
        });
      }
    } finally {
      await counted.destroy();
    }
  });

  it('leaves no notification behind when the batch rolls back', async () => {
    const { ids, users } = await queued(20, 10);
    const rolledBack = new Error('rolled back on purpose');
    const err = await db
      .transaction(async (trx) => {
        expect(await commitEnrollmentBatch(trx, ids, new Date())).to.have.length(20);
        expect(
          await trx('notifications').whereIn('user_id', users).count<{ n: number }[]>('* as n'),
        ).to.deep.equal([{ n: 20 }]);
        throw rolledBack;
      })
      .catch((e: unknown) => e);
    expect(err).to.equal(rolledBack);
    expect(await notificationsOf(users)).to.deep.equal([]);
    expect(await db('requests').whereIn('id', ids).distinct().pluck('status')).to.deep.equal(['queued']);
  });

  it('writes COMMIT_FAILED notifications for requests ended without a batch', async () => {
    const { ids, users } = await queued(3, 10);
    const reporter = new OutcomeReporter(redis, cfg.redis.prefix);
    expect(await failQueuedRequests(db, reporter, ids, 'MySQL was away')).to.equal(3);
    expect(await failQueuedRequests(db, reporter, ids, 'again')).to.equal(0);
    const written = await notificationsOf(users);
    expect(written.map((n) => [n.kind, n.code])).to.deep.equal([
      ['request', 'COMMIT_FAILED'],
      ['request', 'COMMIT_FAILED'],
      ['request', 'COMMIT_FAILED'],
    ]);
  });
});
