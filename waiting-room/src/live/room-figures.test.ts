import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { RoomFiguresView } from '../../../core/live-events.js';
import { LiveClient, withTimeout } from '../../../test/support/live-client.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { testConfig } from '../../../test/support/test-config.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../../test/support/waiting-room-harness.js';
import { percentile } from '../rooms/room-outcomes.js';

/** Records every `room:figures` a client hears. */
function recordFigures(c: LiveClient): RoomFiguresView[] {
  const heard: RoomFiguresView[] = [];
  c.socket.on('room:figures', (f) => heard.push(f));
  return heard;
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('staff room figures over socket.io (watch:figures)', function () {
  this.timeout(40_000);
  const cfg = testConfig();
  // Two processes sharing Redis and MySQL, as in production behind the gateway.
  let a: RunningWaitingRoom;
  let b: RunningWaitingRoom;
  const clients: LiveClient[] = [];
  const client = (url: string, userId: number, role: 'student' | 'staff') => {
    const c = new LiveClient(url, tokenFor(cfg, userId, role));
    clients.push(c);
    return c;
  };
  const join = (url: string, roomId: number, userId: number) =>
    fetch(`${url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
      body: JSON.stringify({ clientRequestId: `figures-${userId}` }),
    });

  before(async () => {
    a = await startWaitingRoom({ env: { ADMISSION_TICK_MS: '200', ROOM_SYNC_MS: '200' } });
    b = await startWaitingRoom({ env: { ADMISSION_TICK_MS: '200', ROOM_SYNC_MS: '200' } });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(async () => {
    await a.stop();
    await b.stop();
  });

  it('pushes a staff watcher figures that change as people join, once a second across the fleet', async () => {
    // Not yet open: people join the pre-queue and wait, so `waiting` only grows.
    const roomId = await createTestRoom(a.db, { ratePerMin: 60, opensInMs: 60_000 });
    const onA = client(a.url, 1, 'staff');
    const onB = client(b.url, 2, 'staff');
    const heardA = recordFigures(onA);
    const heardB = recordFigures(onB);
    await Promise.all([onA.connected(), onB.connected()]);
    const ack = await withTimeout(onA.socket.emitWithAck('watch:figures', { roomId }), 5_000, 'ack');
    expect(ack.ok).to.equal(true);
    if (!ack.ok) return;
    expect(ack.figures).to.include({ roomId, waiting: 0, commitBacklog: 0 });
    expect(ack.figures).to.include({ admissionRatePerMin: 60, maxActive: 1_000 });
    // Never paced yet (not open): the effective rate is the rate (ADR 012).
    expect(ack.figures).to.include({ admissionMode: 'adaptive', effectiveRatePerMin: 60 });
    expect(ack.figures.outcomes).to.deep.equal({});
    expect(ack.figures.latencyP50Ms).to.equal(null);
    expect((await onB.socket.emitWithAck('watch:figures', { roomId })).ok).to.equal(true);

    for (let u = 1; u <= 12; u++) expect((await join(a.url, roomId, 95_000 + u)).status).to.equal(201);
    await until(() => heardA.some((f) => f.waiting === 12), 10_000, 'waiting = 12 on process A');
    await until(() => heardB.some((f) => f.waiting === 12), 10_000, 'waiting = 12 on process B');
    expect(heardA.at(-1)?.phase).to.equal('prequeue');

    // Both watchers hear the same pushes: computed once per second, whichever process won the second.
    const from = heardA.length;
    const since = Date.now();
    await sleep(3_500);
    const seconds = Math.ceil((Date.now() - since) / 1_000);
    const stampsA = heardA.slice(from).map((f) => f.at);
    const stampsB = new Set(heardB.map((f) => f.at));
    // At most one push a second however many processes run (a busy machine may delay some: at least one).
    expect(stampsA.length, `pushes in ${seconds} s`).to.be.within(1, seconds + 1);
    for (const at of stampsA) expect(stampsB.has(at), `push ${at} reached B`).to.equal(true);
    expect(new Set(stampsA).size).to.equal(stampsA.length);
    const waiting = heardA.map((f) => f.waiting);
    expect(waiting).to.deep.equal([...waiting].sort((x, y) => x - y));

    // After unwatch, nothing more arrives.
    onA.socket.emit('unwatch:figures', { roomId });
    await sleep(300);
    const stopped = heardA.length;
    await sleep(2_500);
    expect(heardA.length).to.equal(stopped);
  });

  it('refuses a student', async () => {
    const roomId = await createTestRoom(a.db);
    const student = client(a.url, 95_500, 'student');
    const heard = recordFigures(student);
    await student.connected();
    const ack = await student.socket.emitWithAck('watch:figures', { roomId });
    expect(ack).to.deep.include({ ok: false });
    if (!ack.ok) expect(ack.error.code).to.equal('FORBIDDEN');
    await sleep(2_000);
    expect(heard).to.have.length(0);
  });

  it('answers ROOM_NOT_FOUND for a room that does not exist', async () => {
    const staff = client(a.url, 3, 'staff');
    await staff.connected();
    const ack = await staff.socket.emitWithAck('watch:figures', { roomId: 987_654_321 });
    expect(ack.ok).to.equal(false);
    if (!ack.ok) expect(ack.error.code).to.equal('ROOM_NOT_FOUND');
  });

  it('reports outcomes by code, p50/p99 and commits per second from the requests table', async () => {
    const roomId = await createTestRoom(a.db);
    const [userId] = await a.db('users').insert({
      username: `figures-${Date.now()}`,
      password_hash: 'x',
      role: 'student',
      display_name: 'F',
    });
    const now = Date.now();
    const row = (i: number, status: string, code: string | null, ms: number, agoMs: number) => ({
      user_id: userId,
      room_id: roomId,
      idempotency_key: `figures-${i}`,
      kind: 'enrollment',
      commit_job_id: `figures-job-${i}`,
      payload: '{}',
      status,
      outcome_code: code,
      created_at: new Date(now - agoMs - ms),
      completed_at: new Date(now - agoMs),
    });
    await a.db('requests').insert([
      row(1, 'committed', 'ENROLLED', 100, 1_000),
      row(2, 'committed', 'ENROLLED', 200, 2_000),
      row(3, 'rejected', 'SECTION_FULL', 300, 30_000),
      row(4, 'committed', 'ENROLLED', 5_000, 120_000), // older than a minute: not counted
      { ...row(5, 'queued', null, 0, 0), completed_at: null },
    ]);
    const staff = client(a.url, 4, 'staff');
    await staff.connected();
    const ack = await staff.socket.emitWithAck('watch:figures', { roomId });
    expect(ack.ok).to.equal(true);
    if (!ack.ok) return;
    expect(ack.figures.outcomes).to.deep.equal({ ENROLLED: 2, SECTION_FULL: 1 });
    expect(ack.figures).to.include({
      latencyP50Ms: 200,
      latencyP99Ms: 300,
      commitsPerSec: 0.2,
      commitBacklog: 1,
    });
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).to.equal(null);
    expect(percentile([5], 0.99)).to.equal(5);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 0.5)).to.equal(50);
    expect(percentile(hundred, 0.99)).to.equal(99);
  });
});
