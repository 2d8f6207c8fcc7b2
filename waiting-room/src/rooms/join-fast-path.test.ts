import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Redis } from '../../../core/redis.js';
import type { Knex } from 'knex';
import { createDb } from '../../../core/db.js';
import { createRedis, waitForRedis } from '../../../core/redis.js';
import { createTestRoom } from '../../../test/support/waiting-room-harness.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { createWaitingRoom, type WaitingRoom } from '../app.js';

/** What a client sees of a response, minus what differs by nature (time, connection, express's ETag). */
interface Seen {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const VARYING = new Set(['date', 'etag', 'connection', 'keep-alive', 'content-length']);

describe('the raw join path', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  const running: WaitingRoom[] = [];
  const adapterConnections: Redis[] = [];

  async function serve(joinFastPath: boolean): Promise<string> {
    const pub = createRedis(cfg, 'blocking');
    const sub = createRedis(cfg, 'blocking');
    adapterConnections.push(pub, sub);
    const room = createWaitingRoom({ cfg, logger: testLogger, db, redis, pub, sub, joinFastPath });
    running.push(room);
    await new Promise<void>((resolve) => room.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(room.server.address() as AddressInfo).port}`;
  }

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
  });
  after(async () => {
    await Promise.all(running.map((r) => r.close()));
    await db.destroy();
    redis.disconnect();
    for (const c of adapterConnections) c.disconnect();
  });

  it('answers every kind of join exactly as the express route does', async () => {
    const fast = await serve(true);
    const viaExpress = await serve(false);
    // Each server gets its own room, so the same users take the same queue numbers in both.
    const rooms = { [fast]: await createTestRoom(db), [viaExpress]: await createTestRoom(db) };
    const json = { 'content-type': 'application/json' };
    const auth = (userId: number) => ({ authorization: `Bearer ${tokenFor(cfg, userId)}` });
    const cases: { path?: string; headers: Record<string, string>; body?: string }[] = [
      {
        headers: { ...json, ...auth(1), 'x-request-id': 'same-trace-1' },
        body: '{"clientRequestId":"abcdefgh"}',
      },
      { headers: { ...json, ...auth(1) }, body: '{"clientRequestId":"abcdefgh"}' }, // the same person again
      { headers: { ...json, ...auth(2) }, body: '{"clientRequestId":"abcdefgh"}' },
      { headers: json, body: '{"clientRequestId":"abcdefgh"}' }, // no token
      { headers: { ...json, authorization: `Bearer ${tokenFor(cfg, 3)}x` }, body: '{}' }, // tampered token
      { headers: { ...json, ...auth(4) }, body: '{"clientRequestId":' }, // malformed JSON
      { headers: { ...json, ...auth(5) }, body: JSON.stringify({ clientRequestId: 'x'.repeat(200_000) }) },
      { headers: { ...json, ...auth(6) }, body: '{"clientRequestId":"no"}' },
      { headers: { 'content-type': 'text/plain', ...auth(7) }, body: 'clientRequestId=abcdefgh' },
      { headers: auth(8) }, // no body at all
      { path: '/rooms/abc/join', headers: { ...json, ...auth(9) }, body: '{"clientRequestId":"abcdefgh"}' },
      {
        path: '/rooms/999999999/join',
        headers: { ...json, ...auth(10) },
        body: '{"clientRequestId":"abcdefgh"}',
      },
    ];

    const seen = async (base: string): Promise<Seen[]> => {
      const out: Seen[] = [];
      for (const c of cases) {
        const res = await fetch(`${base}${c.path ?? `/rooms/${rooms[base]}/join`}`, {
          method: 'POST',
          headers: c.headers,
          body: c.body,
        });
        const headers: Record<string, string> = {};
        res.headers.forEach((value, name) => {
          if (VARYING.has(name)) return;
          // A request without an id of its own gets a fresh UUID on either path.
          headers[name] = name === 'x-request-id' && value !== 'same-trace-1' ? '<uuid>' : value;
        });
        const body = (await res.json()) as Record<string, unknown>;
        if (body.roomId === rooms[base]) body.roomId = '<room>';
        out.push({ status: res.status, body, headers });
      }
      return out;
    };

    const fromFast = await seen(fast);
    const fromExpress = await seen(viaExpress);
    expect(fromFast.map((s) => s.status)).to.deep.equal([
      201, 200, 201, 401, 401, 400, 413, 400, 400, 400, 400, 404,
    ]);
    expect(fromFast[0]?.headers).to.include({
      'x-request-id': 'same-trace-1',
      'x-content-type-options': 'nosniff',
    });
    expect(fromFast[0]?.headers).to.have.property('content-security-policy');
    expect(fromFast).to.deep.equal(fromExpress);
  });
});
