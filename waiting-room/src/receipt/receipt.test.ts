import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { newCommitJobId } from '../../../core/requests/request-types.js';
import type { RoomReceiptView } from '../../../core/views/receipt-view.js';
import { createStudents } from '../../../test/support/catalog-fixture.js';
import { tokenFor } from '../../../test/support/tokens.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../../test/support/waiting-room-harness.js';
import { testConfig } from '../../../test/support/test-config.js';
import { permute } from '../queue/permutation.js';
import { DRAW_METHOD } from './room-receipt.js';

describe('GET /rooms/:roomId/receipt: what happened to me in a room', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let wr: RunningWaitingRoom;
  const PRE = 5;
  let roomId: number;
  let users: number[];
  let late: number;
  let stranger: number;
  const started = Date.now();

  const receipt = async (userId: number | null, id: number | string = roomId) => {
    const res = await fetch(`${wr.url}/rooms/${id}/receipt`, {
      headers: userId === null ? {} : { authorization: `Bearer ${tokenFor(cfg, userId)}` },
    });
    expect(res.headers.get('content-type')).to.match(/application\/json/);
    return { status: res.status, body: (await res.json()) as RoomReceiptView & { error: { code: string } } };
  };
  const join = async (userId: number) => {
    const res = await fetch(`${wr.url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
      body: JSON.stringify({ clientRequestId: `receipt-${userId}` }),
    });
    expect(res.status).to.equal(201);
  };

  before(async () => {
    wr = await startWaitingRoom({ controller: false });
    const students = await createStudents(wr.db, PRE + 2);
    [late, stranger] = students as [number, number];
    users = students.slice(2);
    roomId = await createTestRoom(wr.db, { prequeueInMs: -1_000, opensInMs: 1_500, ratePerMin: 60_000 });
    // One after another through the real join path, so user k holds join order k.
    for (const u of users) await join(u);
  });
  after(() => wr.stop());

  it('before the opening: the join time and order, no seed and no number yet', async () => {
    const { status, body } = await receipt(users[1]!);
    expect(status).to.equal(200);
    expect(body.draw).to.deep.equal({ seed: null, prequeueSize: null, method: DRAW_METHOD });
    expect(body.room).to.include({ id: roomId, kind: 'registration', eventId: null, openedAt: null });
    expect(body.you).to.include({ inDraw: true, joinOrder: 2, queueNumber: null, admittedAt: null });
    expect(Date.parse(body.you.joinedAt!)).to.be.within(started - 1_000, Date.now());
    expect(body.requests).to.deep.equal([]);
  });

  it('after the opening: the recorded seed recomputes each number; admission time and expiry', async () => {
    const opensAt = (await wr.db('waiting_rooms').where({ id: roomId }).first<{ opens_at: Date }>()).opens_at;
    await sleep(Math.max(0, opensAt.getTime() - Date.now()) + 50);
    await join(late);
    // The leader opens the room (and records the seed), then lets everyone in at its (high) rate.
    await wr.room.controller.runOnce();
    await sleep(100);
    await wr.room.controller.runOnce();
    const { shuffle_seed: stored } = await wr
      .db('waiting_rooms')
      .where({ id: roomId })
      .first<{ shuffle_seed: string | null }>('shuffle_seed');
    expect(stored).to.be.a('string');

    const numbers: number[] = [];
    for (const [i, u] of users.entries()) {
      const { status, body } = await receipt(u);
      expect(status).to.equal(200);
      expect(body.draw.seed).to.equal(stored);
      expect(body.draw.prequeueSize).to.equal(PRE);
      expect(body.you.inDraw).to.equal(true);
      expect(body.you.joinOrder).to.equal(i + 1);
      const k = body.you.joinOrder!;
      expect(body.you.queueNumber, `user ${k}`).to.equal(permute(k - 1, PRE, Number(body.draw.seed)) + 1);
      numbers.push(body.you.queueNumber!);
      expect(Date.parse(body.room.openedAt!)).to.be.at.least(opensAt.getTime());
      const admittedAt = Date.parse(body.you.admittedAt!);
      expect(admittedAt).to.be.at.least(Date.parse(body.room.openedAt!));
      expect(Date.parse(body.you.admissionExpiresAt!) - admittedAt).to.equal(600_000);
    }
    expect([...numbers].sort()).to.deep.equal([1, 2, 3, 4, 5]);

    const after = (await receipt(late)).body;
    expect(after.you).to.include({ inDraw: false, joinOrder: null, queueNumber: PRE + 1 });
    expect(Date.parse(after.you.joinedAt!)).to.be.at.least(opensAt.getTime());
  });

  it("lists the caller's own requests through the room, and nobody else's", async () => {
    const [owner, other] = users as [number, number];
    const insert = (userId: number, key: string) =>
      wr.db('requests').insert({
        user_id: userId,
        room_id: roomId,
        idempotency_key: key,
        kind: 'enrollment',
        payload: JSON.stringify({ sectionIds: [1] }),
        status: 'rejected',
        outcome_code: 'SECTION_FULL',
        outcome_message: 'Full',
        completed_at: new Date(),
        commit_job_id: newCommitJobId(),
      });
    const [mine] = await insert(owner, `receipt-own-${owner}`);
    await insert(other, `receipt-other-${other}`);
    const { body } = await receipt(owner);
    expect(body.requests.map((r) => r.id)).to.deep.equal([mine]);
    expect(body.requests[0]).to.deep.include({
      kind: 'enrollment',
      status: 'rejected',
      roomId,
      payload: { sectionIds: [1] },
      outcome: { code: 'SECTION_FULL', message: 'Full', details: null },
    });
    const theirs = (await receipt(other)).body;
    expect(theirs.requests.map((r) => r.id)).to.not.include(mine);
    expect(theirs.you.joinOrder).to.equal(2);
  });

  it('answers someone who never joined with an empty record', async () => {
    const { status, body } = await receipt(stranger);
    expect(status).to.equal(200);
    expect(body.you).to.deep.equal({
      joinedAt: null,
      inDraw: false,
      joinOrder: null,
      queueNumber: null,
      admittedAt: null,
      admissionExpiresAt: null,
    });
    expect(body.requests).to.deep.equal([]);
  });

  it('refuses without a token, a malformed room id, and answers 404 for an unknown room', async () => {
    expect((await receipt(null)).status).to.equal(401);
    for (const bad of ['0x1', '%2B1', '01', '1e0', '0', 'abc']) {
      const { status, body } = await receipt(users[0]!, bad);
      expect([status, body.error.code], bad).to.deep.equal([400, 'VALIDATION_FAILED']);
    }
    const missing = await receipt(users[0]!, 999_999_999);
    expect([missing.status, missing.body.error.code]).to.deep.equal([404, 'ROOM_NOT_FOUND']);
  });
});
