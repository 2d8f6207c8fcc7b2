import { expect } from 'chai';
import type { AdmittedMessage, RoomTick } from '../../core/live-events.js';
import { testConfig } from '../../test/support/test-config.js';
import { tokenFor } from '../../test/support/tokens.js';
import { createTestUser } from '../../test/support/users.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../test/support/waiting-room-harness.js';
import { connected, LeanSocket } from './lean-socket.js';

describe('the load generators’ lean socket.io client, against a real waiting room', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let wr: RunningWaitingRoom;
  const sockets: LeanSocket[] = [];

  before(async () => {
    wr = await startWaitingRoom({ env: { ROOM_SYNC_MS: '200' } });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(() => wr.stop());

  const open = (token: string) => {
    const s = new LeanSocket(wr.url, token, 100);
    sockets.push(s);
    return s;
  };

  async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A room admitting one a minute, with three people ahead: the student waits, hearing ticks. */
  async function join(roomId: number, token: string, clientRequestId: string): Promise<void> {
    const res = await fetch(`${wr.url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientRequestId }),
    });
    expect(res.status, await res.clone().text()).to.equal(201);
  }

  async function waitingStudent() {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 1, prequeueInMs: -60_000, opensInMs: -1_000 });
    for (let u = 1; u <= 3; u++)
      await join(roomId, tokenFor(cfg, 900_000_000 + roomId * 10 + u), `ahead-${roomId}-${u}`);
    const student = await createTestUser(wr.db);
    const token = tokenFor(cfg, student.id);
    await join(roomId, token, `lean-socket-${student.id}`);
    return { roomId, student, token };
  }

  it('signs in, watches with an ack, and parses only the events someone listens to', async () => {
    const { roomId, token } = await waitingStudent();
    const socket = open(token);
    const hello: { userId: number }[] = [];
    socket.on('hello', (m) => hello.push(m));
    await connected(socket, 5_000);
    const reply = await socket.emitWithAck('watch', { roomId }, 5_000);
    if (!reply.ok) throw new Error(reply.error.code);
    expect(reply.status.queueNumber).to.equal(4);
    expect(reply.status.admitted).to.equal(false);
    await until('two ticks counted unparsed', () => (socket.ignored.get('room:tick') ?? 0) >= 2);
    expect(hello).to.have.length(1);

    // Listened to, a tick is parsed and handed over as its one argument.
    const ticks: unknown[][] = [];
    socket.on('room:tick', (...args: unknown[]) => ticks.push(args));
    await until('a parsed tick', () => ticks.length > 0);
    expect(ticks[0]).to.have.length(1);
    const tick = ticks[0]![0] as RoomTick;
    expect(tick.roomId).to.equal(roomId);
    expect(tick.phase).to.equal('open');

    // A personal push: the room lets everyone in once its rate is raised.
    const admitted: AdmittedMessage[] = [];
    socket.on('admitted', (m) => admitted.push(m));
    await wr.db('waiting_rooms').where({ id: roomId }).update({ admission_rate_per_min: 60_000 });
    await until('admitted', () => admitted.length > 0);
    expect(admitted[0]!.roomId).to.equal(roomId);
    expect(admitted[0]!.admissionToken).to.be.a('string').and.not.empty;
  });

  it('rejects connected() with the server’s refusal of a bad token, and does not retry', async () => {
    const socket = open('not-a-token');
    const err = await connected(socket, 5_000).then(
      () => undefined,
      (e: unknown) => e as Error & { data?: { code?: string } },
    );
    expect(err?.message).to.be.a('string').and.not.empty;
    expect(err?.data?.code).to.equal('TOKEN_INVALID');
    await new Promise((r) => setTimeout(r, 300));
    expect(socket.connected).to.equal(false);
  });

  it('reconnects after the transport drops, says so, and sends what was emitted meanwhile', async () => {
    const { roomId, student, token } = await waitingStudent();
    const socket = open(token);
    const seen: string[] = [];
    socket.on('connect', () => seen.push('connect'));
    socket.on('disconnect', (reason) => seen.push(`disconnect: ${reason}`));
    await connected(socket, 5_000);
    const serverSide = [...wr.room.io.sockets.sockets.values()].find((s) => s.data.userId === student.id);
    serverSide!.conn.close();
    await until('the drop', () => seen.includes('disconnect: transport close'));
    // Emitted while down: buffered, then sent on the new connection, whose ack answers it.
    const reply = socket.emitWithAck('watch', { roomId }, 5_000);
    await until('the reconnect', () => seen.filter((s) => s === 'connect').length === 2);
    const watched = await reply;
    expect(watched.ok).to.equal(true);
    expect(seen).to.deep.equal(['connect', 'disconnect: transport close', 'connect']);
  });

  it('on disconnect() says so once, rejects pending acks and stays down', async () => {
    const { roomId, token } = await waitingStudent();
    const socket = open(token);
    const reasons: string[] = [];
    socket.on('disconnect', (r) => reasons.push(r));
    await connected(socket, 5_000);
    const pending = socket.emitWithAck('watch', { roomId: roomId + 1_000_000 }, 5_000);
    socket.disconnect();
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.equal('disconnected');
    await new Promise((r) => setTimeout(r, 300));
    expect(reasons).to.deep.equal(['io client disconnect']);
    expect(socket.connected).to.equal(false);
  });
});
