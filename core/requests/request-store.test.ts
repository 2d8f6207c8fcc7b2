import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../db.js';
import { createStudents } from '../../test/support/catalog-fixture.js';
import { testConfig } from '../../test/support/test-config.js';
import { createTestRoom } from '../../test/support/waiting-room-harness.js';
import { countQueuedRequests, countQueuedRequestsByRoom } from './request-store.js';

describe('the commit backlog of many rooms in one read', () => {
  let db: Knex;
  let students: number[];
  let keys = 0;

  before(async () => {
    db = createDb(testConfig());
    students = await createStudents(db, 4);
  });
  after(() => db.destroy());

  const requests = (roomId: number, statuses: string[]) =>
    db('requests').insert(
      statuses.map((status, i) => ({
        user_id: students[i]!,
        room_id: roomId,
        idempotency_key: `backlog-${roomId}-${++keys}`,
        kind: 'enrollment',
        payload: '{"sectionIds":[1]}',
        status,
        commit_job_id: `backlog-${roomId}`,
      })),
    );

  it('counts each asked room’s queued requests, leaves out rooms with none and rooms not asked', async () => {
    const [a, b, c, d] = [
      await createTestRoom(db),
      await createTestRoom(db),
      await createTestRoom(db),
      await createTestRoom(db),
    ];
    await requests(a, ['queued', 'queued', 'queued', 'rejected']);
    await requests(b, ['rejected', 'rejected']);
    await requests(c, ['queued']);
    const counts = await countQueuedRequestsByRoom(db, [a, b, d]);
    expect([...counts]).to.deep.equal([[a, 3]]);
    expect(await countQueuedRequests(db, a)).to.equal(3);
    expect(await countQueuedRequests(db, b)).to.equal(0);
    expect(await countQueuedRequests(db, c)).to.equal(1);
    expect(await countQueuedRequestsByRoom(db, [])).to.deep.equal(new Map());
  });
});
