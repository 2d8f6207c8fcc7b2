import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { decodeAdmissionToken } from '../../../core/admission/admission-token.js';
import { LiveClient } from '../../../test/support/live-client.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { createTestUser } from '../../../test/support/users.js';
import { testConfig } from '../../../test/support/test-config.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../../test/support/waiting-room-harness.js';

describe('live room status over socket.io', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let wr: RunningWaitingRoom;
  const clients: LiveClient[] = [];

  const client = (userId: number, role: 'student' | 'staff' = 'student') => {
    const c = new LiveClient(wr.url, tokenFor(cfg, userId, role));
    clients.push(c);
    return c;
  };
  const join = (roomId: number, userId: number) =>
    fetch(`${wr.url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
      body: JSON.stringify({ clientRequestId: `live-${userId}-x` }),
    });

  before(async () => {
    wr = await startWaitingRoom({ env: { ADMISSION_TICK_MS: '200', ROOM_SYNC_MS: '200' } });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(() => wr.stop());

  it('shows a watcher its number, then serving-number ticks, then `admitted` with a token that verifies', async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 300, maxActive: 1_000 });
    for (let u = 1; u <= 5; u++) expect((await join(roomId, 90_000 + u)).status).to.equal(201);
    const me = 90_100;
    await join(roomId, me);
    const c = client(me);
    await c.connected();
    const first = await c.watch(roomId);
    expect(first).to.include({ roomId, joined: true, queueNumber: 6, phase: 'open' });

    await c.until((x) => x.admitted.length > 0, 15_000, 'admitted');
    const servings = c.ticks.map((t) => t.servingNumber);
    expect(servings.length).to.be.greaterThan(1);
    expect(servings).to.deep.equal([...servings].sort((a, b) => a - b));
    const admitted = c.admitted[0]!;
    expect(admitted).to.include({ roomId, queueNumber: 6 });
    const claims = decodeAdmissionToken(cfg.admission, admitted.admissionToken);
    expect(claims).to.include({ userId: me, roomId, queueNumber: 6 });
  });

  it('gives a reconnecting client the current state within a second', async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 6_000, maxActive: 1_000 });
    const me = 91_001;
    await join(roomId, me);
    const first = client(me);
    await first.connected();
    await first.watch(roomId);
    await first.until((x) => x.admitted.length > 0, 10_000, 'admitted');
    first.close();

    const started = Date.now();
    const again = client(me);
    await again.connected();
    const state = await again.watch(roomId);
    expect(Date.now() - started).to.be.below(1_000);
    expect(state).to.include({ admitted: true, queueNumber: 1 });
    expect(state.admissionToken).to.equal(first.admitted[0]!.admissionToken);
  });

  it('sends one tick per room per tick, whatever the number of watchers', async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 60, maxActive: 1_000 });
    const watchers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const c = client(92_000 + i);
        await c.connected();
        await c.watch(roomId);
        return c;
      }),
    );
    const since = Date.now();
    await sleep(2_000);
    const elapsed = Date.now() - since;
    const expected = elapsed / 200;
    for (const w of watchers) {
      const heard = w.ticks.filter((t) => t.roomId === roomId).length;
      expect(heard).to.be.within(expected * 0.6, expected * 1.3);
    }
  });

  it("reaches everyone watching with an operator's message, and tells them of a pause", async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 60, maxActive: 1_000 });
    const watcher = client(93_001);
    await watcher.connected();
    await watcher.watch(roomId);
    // The leader picks the new room up at its next sync.
    await sleep(400);
    const operator = await createTestUser(wr.db, 'staff');
    const staff = {
      authorization: `Bearer ${tokenFor(cfg, operator.id, 'staff')}`,
      'content-type': 'application/json',
    };
    const sent = await fetch(`${wr.url}/operator/rooms/${roomId}/messages`, {
      method: 'POST',
      headers: staff,
      body: JSON.stringify({ message: 'Seats for block C are released at 10:15' }),
    });
    expect(sent.status).to.equal(202);
    await watcher.until((x) => x.messages.length > 0, 3_000, 'message');
    expect(watcher.messages[0]).to.equal('Seats for block C are released at 10:15');

    const paused = await fetch(`${wr.url}/operator/rooms/${roomId}/actions/pause`, {
      method: 'POST',
      headers: staff,
    });
    expect(await paused.json()).to.deep.equal({ phase: 'open', paused: true });
    await watcher.until((x) => x.phases.includes('open:paused'), 3_000, 'pause');
    const status = await watcher.watch(roomId);
    expect(status).to.include({ paused: true, etaSeconds: null });
  });

  it('tells an admitted person at once when an operator revokes their admission', async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 6_000, maxActive: 1_000 });
    const me = 95_501;
    await join(roomId, me);
    const c = client(me);
    await c.connected();
    await c.watch(roomId);
    await c.until((x) => x.admitted.length > 0, 10_000, 'admitted');
    const operator = await createTestUser(wr.db, 'staff');
    const res = await fetch(`${wr.url}/operator/rooms/${roomId}/revocations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokenFor(cfg, operator.id, 'staff')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId: me }),
    });
    expect(res.status).to.equal(200);
    await c.until((x) => x.revocations.includes(roomId), 3_000, 'admission:revoked');
    const status = await c.watch(roomId);
    expect(status).to.include({ admitted: true, admissionToken: null });
  });

  it('refuses to watch a room that does not exist', async () => {
    const c = client(94_001);
    await c.connected();
    const reply = await c.socket.emitWithAck('watch', { roomId: 987_654_321 });
    expect(reply).to.deep.include({ ok: false });
    const bad = await c.socket.emitWithAck('watch', { roomId: -1 });
    expect(bad).to.deep.include({ ok: false });
  });
});
