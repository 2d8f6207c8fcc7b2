import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { Redis } from '../redis.js';
import type { Knex } from 'knex';
import { createDb } from '../db.js';
import { redisKeys } from '../redis-keys.js';
import { createRedis, waitForRedis } from '../redis.js';
import { buildApiApp } from '../../api/src/app.js';
import { buildWorkerApp, type WorkerApp } from '../../worker/src/app.js';
import { listenOnFreePort } from '../../test/support/listen.js';
import { sendRaw, type RawRequest, type RawResponse } from '../../test/support/raw-http.js';
import { testLogger } from '../../test/support/silent-logger.js';
import { testConfig } from '../../test/support/test-config.js';
import { tokenFor } from '../../test/support/tokens.js';
import { createTestUser } from '../../test/support/users.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../test/support/waiting-room-harness.js';

/** Sends one request over a bare socket and insists on a complete answer. */
async function raw(url: string, req: Partial<RawRequest> & { target: string }): Promise<RawResponse> {
  const res = await sendRaw(url, { method: 'GET', headers: [], ...req });
  if ('error' in res) throw new Error(`${req.method ?? 'GET'} ${req.target}: ${res.error}`);
  return res;
}

/** The one error shape every refusal has: JSON, `{ error: { code, message } }`, a 4xx, no stack. */
function expectJsonError(res: RawResponse, status: number, code?: string): void {
  const text = res.body.toString('utf8');
  expect(res.status, text).to.equal(status);
  expect(res.headers['content-type'], text).to.match(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.message)
    .to.be.a('string')
    .and.not.match(/\bat .*\.ts:\d+/);
  if (code) expect(body.error.code).to.equal(code);
}

const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];
const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];
const LOGIN = Buffer.from('{"username":"x","password":"y"}');

describe('the HTTP edge refuses malformed requests with 4xx JSON, on every process', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let api: { server: Server; url: string };
  let worker: { server: Server; url: string };
  let workerApp: WorkerApp;
  let wr: RunningWaitingRoom;
  let student: string;
  let staff: string;
  let roomId: number;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    api = await listenOnFreePort(buildApiApp({ cfg, logger: testLogger, db, redis }));
    workerApp = buildWorkerApp({ cfg, logger: testLogger, db, redis, connection: redis });
    worker = await listenOnFreePort(workerApp.http);
    wr = await startWaitingRoom({ controller: false });
    student = tokenFor(cfg, (await createTestUser(db)).id);
    staff = tokenFor(cfg, (await createTestUser(db, 'staff')).id, 'staff');
    roomId = await createTestRoom(wr.db);
  });
  after(async () => {
    await new Promise((resolve) => api.server.close(resolve));
    await new Promise((resolve) => worker.server.close(resolve));
    await workerApp.close();
    await wr.stop();
    await db.destroy();
    redis.disconnect();
  });

  /** Sign-in reads a JSON body before anything else: the body's encoding decides the answer. */
  const login = (headers: [string, string][], body = LOGIN) =>
    raw(api.url, { method: 'POST', target: '/api/auth/login', headers, body });

  const ODD_IDS = ['0x1', '+1', '01', '1e0', '%201', '1.0', '-1', '0', '99999999999999999999'];

  it('takes ids only in plain decimal: path, query and room parameters', async () => {
    for (const id of ODD_IDS) {
      expectJsonError(
        await raw(api.url, { target: `/api/requests/${id}`, headers: [bearer(student)] }),
        400,
        'VALIDATION_FAILED',
      );
      for (const list of ['requests', 'reservations', 'notifications']) {
        for (const param of ['limit', 'before']) {
          expectJsonError(
            await raw(api.url, { target: `/api/me/${list}?${param}=${id}`, headers: [bearer(student)] }),
            400,
            'VALIDATION_FAILED',
          );
        }
      }
      expectJsonError(await raw(wr.url, { target: `/rooms/${id}` }), 400, 'VALIDATION_FAILED');
      expectJsonError(
        await raw(wr.url, { target: `/rooms/${id}/status`, headers: [bearer(student)] }),
        400,
        'VALIDATION_FAILED',
      );
      // The raw join path (ADR 011): `/rooms/0x1/join` used to join room 1.
      expectJsonError(
        await raw(wr.url, {
          method: 'POST',
          target: `/rooms/${id}/join`,
          headers: [JSON_TYPE, bearer(student)],
          body: Buffer.from('{"clientRequestId":"edge-test-0001"}'),
        }),
        400,
        'VALIDATION_FAILED',
      );
    }
    // Nobody was queued by any of those spellings.
    expect(await wr.redis.hlen(redisKeys(cfg.redis.prefix).room(roomId, 'users'))).to.equal(0);
    // The canonical spelling still works, so the refusals above are about the spelling.
    const ok = await raw(wr.url, { target: `/rooms/${roomId}` });
    expect(ok.status).to.equal(200);
  });

  it('takes dates only as ISO 8601 date-times in the operator room schema', async () => {
    const base = {
      slug: `edge-dates-${Date.now().toString(36)}`,
      name: 'Edge dates',
      kind: 'registration',
      admissionRatePerMin: 60,
      maxActive: 10,
      prequeueOpensAt: '2030-01-01T00:00:00Z',
      opensAt: '2030-01-01T01:00:00Z',
    };
    for (const bad of [true, 0, null, '', '1', 'yesterday']) {
      for (const field of ['prequeueOpensAt', 'opensAt']) {
        const res = await raw(wr.url, {
          method: 'POST',
          target: '/operator/rooms',
          headers: [JSON_TYPE, bearer(staff)],
          body: Buffer.from(JSON.stringify({ ...base, [field]: bad })),
        });
        expectJsonError(res, 400, 'VALIDATION_FAILED');
      }
    }
    expect(await wr.db('waiting_rooms').where('slug', base.slug).count({ n: '*' })).to.deep.equal([{ n: 0 }]);
  });

  it('refuses a body whose Content-Encoding lies (400) or is unknown (415)', async () => {
    for (const encoding of ['gzip', 'br', 'deflate']) {
      expectJsonError(await login([JSON_TYPE, ['Content-Encoding', encoding]]), 400, 'BAD_CONTENT_ENCODING');
    }
    expectJsonError(await login([JSON_TYPE, ['Content-Encoding', 'x-snappy']]), 415, 'UNSUPPORTED_ENCODING');
    // A body that is what it says still reads: a wrong password, not a parse failure.
    const real = await login([JSON_TYPE, ['Content-Encoding', 'gzip']], gzipSync(LOGIN));
    expect(real.status).to.equal(401);
    // The raw join path reads its body with the same parser.
    const join = await raw(wr.url, {
      method: 'POST',
      target: `/rooms/${roomId}/join`,
      headers: [JSON_TYPE, ['Content-Encoding', 'br'], bearer(student)],
      body: Buffer.from('{"clientRequestId":"edge-test-0002"}'),
    });
    expectJsonError(join, 400, 'BAD_CONTENT_ENCODING');
  });

  it('reads only UTF-8 JSON: another charset is 415, bytes that are not UTF-8 are 400', async () => {
    for (const charset of ['utf-7', 'UTF-16', 'iso-8859-1', 'x-unknown']) {
      const res = await login([['Content-Type', `application/json; charset=${charset}`]]);
      expectJsonError(res, 415, 'UNSUPPORTED_CHARSET');
    }
    const latin1 = await login(
      [['Content-Type', 'application/json; charset=utf-8']],
      Buffer.from('{"username":"st\xfcdent","password":"y"}', 'latin1'),
    );
    expectJsonError(latin1, 400, 'MALFORMED_UTF8');
    const join = await raw(wr.url, {
      method: 'POST',
      target: `/rooms/${roomId}/join`,
      headers: [['Content-Type', 'application/json; charset=utf-7'], bearer(student)],
      body: Buffer.from('{"clientRequestId":"edge-test-0003"}'),
    });
    expectJsonError(join, 415, 'UNSUPPORTED_CHARSET');
  });

  it('answers an invalid %-escape in the path with 400 on every route, health included', async () => {
    const cases: [string, string, string][] = [
      [api.url, 'GET', '/healthz%FF'],
      [api.url, 'GET', '/api/terms/%E0%A4%A/sections'],
      [api.url, 'GET', '/api/requests/%FF'],
      [api.url, 'POST', '/api/auth/%FF'],
      [wr.url, 'GET', '/rooms/%FF'],
      [wr.url, 'POST', '/rooms/%FF/join'],
      [wr.url, 'GET', '/healthz/%C0'],
      [worker.url, 'GET', '/healthz%FF'],
      [worker.url, 'GET', '/%E0%A4%A'],
    ];
    for (const [url, method, target] of cases) {
      const res = await raw(url, {
        method,
        target,
        headers: [bearer(student), JSON_TYPE],
        body: Buffer.from('{}'),
      });
      expectJsonError(res, 400, 'MALFORMED_PATH');
    }
  });

  it("answers what node's parser refuses with a JSON body and the right 4xx, on api, waiting room and worker", async () => {
    for (const url of [api.url, wr.url, worker.url]) {
      expectJsonError(await raw(url, { method: 'FOO', target: '/healthz' }), 405, 'METHOD_NOT_ALLOWED');
      expectJsonError(
        await raw(url, { target: '/healthz', headers: [['X-Padding', 'p'.repeat(20_000)]] }),
        431,
        'HEADERS_TOO_LARGE',
      );
      expectJsonError(
        await raw(url, {
          method: 'POST',
          target: '/healthz',
          headers: [
            ['Content-Length', '5'],
            ['Transfer-Encoding', 'chunked'],
          ],
          contentLength: false,
          body: Buffer.from('0\r\n\r\n'),
        }),
        400,
        'BAD_TRANSFER_ENCODING',
      );

      expectJsonError(await raw(url, { target: '/health z' }), 400, 'MALFORMED_REQUEST');
      expectJsonError(
        await raw(url, { target: '/healthz', headers: [['Expect', 'something-else']] }),
        417,
        'EXPECTATION_FAILED',
      );
      // 100-continue is honoured: the request then gets its own answer (here a 404, in JSON).
      expectJsonError(
        await raw(url, {
          method: 'POST',
          target: '/nowhere',
          headers: [['Expect', '100-continue'], JSON_TYPE],
          body: Buffer.from('{}'),
        }),
        404,
        'NOT_FOUND',
      );
    }
  });

  it('reads a body its route ignores before answering, so a large answer arrives whole', async () => {
    // Node closing the connection while the client still sends resets it, and the client loses the tail
    // of the answer: a GET with a body on the largest answer the api gives shows it.
    const body = Buffer.alloc(2_000_000, 'x');
    for (let i = 0; i < 3; i += 1) {
      const res = await raw(api.url, {
        target: '/api/openapi.json',
        headers: [['Content-Type', 'application/octet-stream']],
        body,
      });
      expect(res.status).to.equal(200);
      expect(Number(res.headers['content-length'])).to.equal(res.body.length);
      expect((JSON.parse(res.body.toString('utf8')) as { openapi: string }).openapi).to.match(/^3\.1/);
    }
  });

  it('refuses a Transfer-Encoding other than chunked with 400, whole, while the client still sends', async () => {
    // Node emits such a request before its parser refuses the body's framing (RFC 9112 §6.3: 400, then
    // close). The answer must be the refusal, not the route's, and must reach a client that is still
    // sending: closing on it would reset the connection and lose the answer (the hostile suite's
    // 'te-unknown', seed 797476345).
    const body = Buffer.alloc(200_000, 'x');
    for (const [url, target] of [
      [api.url, '/api/openapi.json'],
      [api.url, '/api/enrollments'],
      [wr.url, `/rooms/${roomId}/join`],
      [worker.url, '/healthz'],
    ] as const) {
      // With the body in the head's packets the parser refuses before the route answers; sent later,
      // the route's answer is already held for the body when the refusal comes.
      for (const bodyDelayMs of [undefined, 100, undefined, 100]) {
        const res = await raw(url, {
          target,
          headers: [
            ['Transfer-Encoding', 'gzip'],
            ['Content-Type', 'multipart/form-data; boundary=xyz'],
          ],
          contentLength: false,
          body,
          bodyDelayMs,
        });
        expectJsonError(res, 400, 'BAD_TRANSFER_ENCODING');
      }
    }
  });

  it("answers an unsatisfiable Range on a static asset with a JSON 416, not the asset's type", async () => {
    // The hostile suite's seed 807284664: the file sender had set text/javascript before it refused.
    const res = await raw(api.url, {
      target: '/api/docs/assets/swagger-ui-bundle.js',
      headers: [['Range', 'bytes=9-1']],
    });
    expectJsonError(res, 416);
    expect(res.headers['last-modified'], "the file's validators are dropped").to.equal(undefined);
  });

  it('answers a refusal held for its body even when the body is shorter than its Content-Length', async () => {
    // The byte past the declared length reaches the parser as a next request that cannot parse: the
    // answer held back until the body arrived must still go out (the hostile suite's 'cl-short').
    const body = Buffer.from('1f8b0800000000000003030000000000000000000a', 'hex').subarray(0, 20);
    for (const [url, target] of [
      [wr.url, `/rooms/${roomId}/join`],
      [api.url, '/api/enrollments'],
    ] as const) {
      for (let i = 0; i < 20; i += 1) {
        const res = await raw(url, {
          method: 'POST',
          target,
          headers: [
            ['Authorization', 'Digest username="x"'],
            ['Content-Encoding', 'gzip'],
            ['Content-Length', String(body.length - 1)],
          ],
          contentLength: false,
          body,
        });
        expectJsonError(res, 401);
      }
    }
  });
});
