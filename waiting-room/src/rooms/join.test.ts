import { expect } from 'chai';
import { roomChannel } from '../../../core/live-events.js';
import {
  startWaitingRoom,
  createTestRoom,
  type RunningWaitingRoom,
} from '../../../test/support/waiting-room-harness.js';
import { mapConcurrent, tokenFor } from '../../../test/support/tokens.js';
import { testConfig } from '../../../test/support/test-config.js';

describe('joining a waiting room', function () {
  this.timeout(120_000);
  const cfg = testConfig();
  let wr: RunningWaitingRoom;

  before(async () => {
    wr = await startWaitingRoom({ controller: false });
  });
  after(() => wr.stop());

  async function join(
    roomId: number,
    userId: number,
    body: unknown = { clientRequestId: `c-${userId}-abcdef` },
  ) {
    const res = await fetch(`${wr.url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('gives 5,000 concurrent joins from distinct users 5,000 distinct queue numbers, and repeats take none', async () => {
    const roomId = await createTestRoom(wr.db, { ratePerMin: 1 });
    const users = Array.from({ length: 5_000 }, (_, i) => 2_000_000 + i);
    const first = await mapConcurrent(users, 250, (u) => join(roomId, u));
    expect(first.map((r) => r.status)).to.satisfy((s: number[]) => s.every((x) => x === 201));
    const numbers = first.map((r) => r.body.queueNumber as number);
    expect(new Set(numbers).size).to.equal(5_000);
    expect(Math.min(...numbers)).to.equal(1);
    expect(Math.max(...numbers)).to.equal(5_000);

    const again = await mapConcurrent(users, 250, (u) => join(roomId, u));
    expect(again.every((r) => r.status === 200 && r.body.created === false)).to.equal(true);
    expect(again.map((r) => r.body.queueNumber)).to.deep.equal(numbers);

    const figures = await wr.room.queue.figures(roomId);
    expect(figures.pre + figures.post).to.equal(5_000);
    expect(await wr.redis.hlen(wr.room.queue.key(roomId, 'users'))).to.equal(5_000);
  });

  it('takes no place for 1,000 malformed or unauthenticated joins', async () => {
    const roomId = await createTestRoom(wr.db);
    const malformed: (() => Promise<number>)[] = [
      // no token
      () =>
        fetch(`${wr.url}/rooms/${roomId}/join`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"clientRequestId":"abcdefgh"}',
        }).then((r) => r.status),
      // tampered token
      () =>
        fetch(`${wr.url}/rooms/${roomId}/join`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, 9)}x` },
          body: '{"clientRequestId":"abcdefgh"}',
        }).then((r) => r.status),
      // broken JSON
      () =>
        fetch(`${wr.url}/rooms/${roomId}/join`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, 10)}` },
          body: '{"clientRequestId":',
        }).then((r) => r.status),
      // missing and bad client request ids
      () => join(roomId, 11, {}).then((r) => r.status),
      () => join(roomId, 12, { clientRequestId: 'x' }).then((r) => r.status),
      () => join(roomId, 13, { clientRequestId: 'has spaces in it' }).then((r) => r.status),
      // bad room ids
      () =>
        fetch(`${wr.url}/rooms/abc/join`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokenFor(cfg, 14)}` },
        }).then((r) => r.status),
      () => join(999_999_999, 15).then((r) => r.status),
    ];
    const statuses = await mapConcurrent(
      Array.from({ length: 1_000 }, (_, i) => i),
      100,
      (i) => (malformed[i % malformed.length] as () => Promise<number>)(),
    );
    expect(
      statuses.every((s) => s >= 400 && s < 500),
      `statuses: ${[...new Set(statuses)].join(',')}`,
    ).to.equal(true);
    const figures = await wr.room.queue.figures(roomId).catch(() => undefined);
    expect((figures?.pre ?? 0) + (figures?.post ?? 0)).to.equal(0);
    expect(await wr.redis.hlen(wr.room.queue.key(roomId, 'users'))).to.equal(0);
  });

  it('refuses joins before the pre-queue opens and after the room closes', async () => {
    const early = await createTestRoom(wr.db, { prequeueInMs: 60_000, opensInMs: 120_000 });
    const res = await join(early, 21);
    expect(res.status).to.equal(409);
    expect((res.body.error as { code: string }).code).to.equal('ROOM_NOT_OPEN');

    const over = await createTestRoom(wr.db, {
      prequeueInMs: -120_000,
      opensInMs: -60_000,
      closesInMs: -1_000,
    });
    const closed = await join(over, 22);
    expect(closed.status).to.equal(409);
    expect((closed.body.error as { code: string }).code).to.equal('ROOM_CLOSED');
  });

  it('gives a status to someone who has not joined, and their place to someone who has', async () => {
    const roomId = await createTestRoom(wr.db);
    const status = async (userId: number) =>
      (
        await fetch(`${wr.url}/rooms/${roomId}/status`, {
          headers: { authorization: `Bearer ${tokenFor(cfg, userId)}` },
        })
      ).json() as Promise<Record<string, unknown>>;
    expect(await status(31)).to.include({ joined: false, queueNumber: null, phase: 'open' });
    await join(roomId, 31);
    expect(await status(31)).to.include({
      joined: true,
      queueNumber: 1,
      position: 1,
      peopleAhead: 0,
      admitted: false,
    });
    expect(roomChannel(roomId)).to.equal(`room:${roomId}`);
  });

  it('answers like every other route: security headers, request ids, 413, malformed JSON, errors as JSON', async () => {
    const roomId = await createTestRoom(wr.db);
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${wr.url}/rooms/${roomId}/join`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${tokenFor(cfg, 41)}`,
          ...headers,
        },
        body,
      });
    const ok = await post('{"clientRequestId":"headers-check-1"}', { 'x-request-id': 'trace-join-1' });
    expect(ok.status).to.equal(201);
    expect(ok.headers.get('x-request-id')).to.equal('trace-join-1');
    expect(ok.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(ok.headers.get('content-security-policy')).to.contain("default-src 'self'");
    const status = await fetch(`${wr.url}/rooms/${roomId}/status`, {
      headers: { authorization: `Bearer ${tokenFor(cfg, 41)}` },
    });
    expect(ok.headers.get('content-security-policy')).to.equal(status.headers.get('content-security-policy'));

    const big = await post(JSON.stringify({ clientRequestId: 'x'.repeat(200_000) }));
    expect(big.status).to.equal(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).to.equal('PAYLOAD_TOO_LARGE');
    const broken = await post('{"clientRequestId":');
    expect(broken.status).to.equal(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).to.equal('MALFORMED_JSON');
    const notJson = await post('clientRequestId=abcdefgh', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(notJson.status).to.equal(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).to.equal('VALIDATION_FAILED');
    const unknown = await fetch(`${wr.url}/rooms/999999/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, 42)}` },
      body: '{"clientRequestId":"unknown-room-1"}',
    });
    expect(unknown.status).to.equal(404);
    expect(unknown.headers.get('content-type')).to.match(/^application\/json/);
  });
});
