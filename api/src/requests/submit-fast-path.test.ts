import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../core/db.js';
import { createHttpServer } from '../../../core/http/http-server.js';
import { CommitQueues } from '../../../core/queues.js';
import { createRedis, waitForRedis, type Redis } from '../../../core/redis.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
} from '../../../test/support/catalog-fixture.js';
import { admissionFor } from '../../../test/support/enrollment-submissions.js';
import { createSale } from '../../../test/support/event-fixture.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { buildApiApp } from '../app.js';

/** What a client sees of a response, minus what differs by nature (time, connection, express's ETag). */
interface Seen {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const VARYING = new Set(['date', 'etag', 'connection', 'keep-alive', 'content-length']);

/** Ids, numbers and times differ between the two servers' own fixtures: each becomes its kind. */
function normalised(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => normalised(x, key));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalised(x, k)]));
  if (typeof v === 'number' && /id$|Ids$|Id$|number$|Number$/i.test(key)) return `<${key}>`;
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return '<time>';
  if (typeof v === 'string' && key === 'location') return v.replace(/\d+/g, '<id>');
  if (typeof v === 'string' && key === 'message') return v.replace(/\d+/g, '<n>');
  return v;
}

/**
 * The api's raw submit path (ADR 028) against express's routes for the same submissions: every kind of
 * submission, good and bad, gets the same status, body and headers from both, and only the raw path
 * leaves out express's ETag (which is how the test knows which path answered).
 */
describe('the raw submit path', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let queues: CommitQueues;
  const servers: Server[] = [];

  async function serve(submitFastPath: boolean): Promise<string> {
    const app = buildApiApp({ cfg, logger: testLogger, db, redis, queues, submitFastPath });
    const server = createHttpServer(app);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
  });
  after(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await queues.close();
    await db.destroy();
    redis.disconnect();
  });

  /** Each server gets its own term, room, section and students, so both record the same things. */
  async function world() {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 10 });
    const { sectionId: otherSection } = await createSection(db, f, { capacity: 10 });
    const sale = await createSale(db, { rows: 1, seatsPerRow: 2 });
    const students = await createStudents(db, 6);
    return { f, sectionId, otherSection, sale, students };
  }

  it('answers every kind of submission exactly as the express routes do', async () => {
    const fast = await serve(true);
    const viaExpress = await serve(false);
    const worlds = { [fast]: await world(), [viaExpress]: await world() };
    const json = { 'content-type': 'application/json' };

    const seen = async (base: string): Promise<Seen[]> => {
      const { f, sectionId, otherSection, sale, students } = worlds[base]!;
      const [a, b, c, d, e, g] = students as [number, number, number, number, number, number];
      const auth = (u: number) => ({ authorization: `Bearer ${tokenFor(cfg, u)}` });
      const admitted = (u: number, roomId = f.roomId) => ({
        ...auth(u),
        'x-admission-token': admissionFor(cfg, u, roomId, { queueNumber: u }),
      });
      const cart = JSON.stringify({ sectionIds: [sectionId] });
      const cases: { path?: string; headers: Record<string, string>; body?: string }[] = [
        // A new submission, from an allowed origin, with a request id of its own.
        {
          headers: {
            ...json,
            ...admitted(a),
            'idempotency-key': 'fast-path-key-a',
            'x-request-id': 'same-trace-1',
            origin: 'http://localhost:3001',
          },
          body: cart,
        },
        // The same again (a retry), then the same key with another body.
        { headers: { ...json, ...admitted(a), 'idempotency-key': 'fast-path-key-a' }, body: cart },
        {
          headers: { ...json, ...admitted(a), 'idempotency-key': 'fast-path-key-a' },
          body: JSON.stringify({ sectionIds: [sectionId, otherSection] }),
        },
        { headers: { ...json, 'idempotency-key': 'fast-path-key-b' }, body: cart }, // no access token
        {
          headers: { ...json, authorization: `Bearer ${tokenFor(cfg, b)}x`, 'idempotency-key': 'fast-key-b' },
          body: cart,
        }, // tampered access token
        {
          headers: { ...json, ...admitted(b), 'idempotency-key': 'fast-path-key-b' },
          body: '{"sectionIds":',
        },
        {
          headers: { ...json, ...admitted(b), 'idempotency-key': 'fast-path-key-b' },
          body: JSON.stringify({ sectionIds: [sectionId], pad: 'x'.repeat(200_000) }),
        }, // too large
        { headers: { ...json, ...admitted(b) }, body: cart }, // no Idempotency-Key
        { headers: { ...json, ...admitted(b), 'idempotency-key': 'bad key!' }, body: cart },
        { headers: { ...json, ...auth(c), 'idempotency-key': 'fast-path-key-c' }, body: cart }, // no admission
        {
          headers: { ...json, ...admitted(c, f.roomId + 100_000), 'idempotency-key': 'fast-path-key-c' },
          body: cart,
        }, // an admission to another room
        {
          headers: { ...json, ...admitted(c), 'idempotency-key': 'fast-path-key-c' },
          body: JSON.stringify({ sectionIds: [999_999_999] }),
        }, // an unknown section
        {
          headers: { ...json, ...admitted(c), 'idempotency-key': 'fast-path-key-c' },
          body: JSON.stringify({ sectionIds: [sectionId], extra: true }),
        }, // an unknown field
        {
          headers: { 'content-type': 'text/plain', ...admitted(d), 'idempotency-key': 'fast-path-key-d' },
          body: cart,
        },
        { headers: { ...admitted(d), 'idempotency-key': 'fast-path-key-d' } }, // no body at all
        // A trailing slash and a query: still the route.
        {
          path: '/api/enrollments/?from=cart',
          headers: { ...json, ...admitted(e), 'idempotency-key': 'fast-path-key-e' },
          body: cart,
        },
        // A reservation: more seats than its schema allows, then an unknown seat.
        {
          path: '/api/reservations',
          headers: { ...json, ...admitted(g, sale.roomId), 'idempotency-key': 'fast-path-key-g' },
          body: JSON.stringify({ eventId: sale.eventId, count: 99 }),
        },
        {
          path: '/api/reservations',
          headers: { ...json, ...admitted(g, sale.roomId), 'idempotency-key': 'fast-path-key-g' },
          body: JSON.stringify({ eventId: sale.eventId, seatLabels: ['Z9'] }),
        },
      ];
      const out: Seen[] = [];
      for (const c of cases) {
        const res = await fetch(`${base}${c.path ?? '/api/enrollments'}`, {
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
        out.push({
          status: res.status,
          body: normalised(await res.json()),
          headers: normalised(headers) as Record<string, string>,
        });
        // Which path answered: only express adds an ETag.
        expect(res.headers.has('etag'), `${base === fast ? 'raw' : 'express'}: ${c.path ?? ''}`).to.equal(
          base !== fast,
        );
      }
      return out;
    };

    const fromFast = await seen(fast);
    const fromExpress = await seen(viaExpress);
    expect(fromFast.map((s) => s.status)).to.deep.equal([
      202, 202, 409, 401, 401, 400, 413, 400, 400, 401, 403, 422, 400, 400, 400, 202, 400, 422,
    ]);
    expect(fromFast[0]?.headers).to.include({
      'x-request-id': 'same-trace-1',
      'x-content-type-options': 'nosniff',
      'access-control-allow-origin': 'http://localhost:3001',
      location: '/api/requests/<id>',
    });
    expect(fromFast[0]?.body).to.deep.include({ created: true, status: 'queued' });
    expect(fromFast[1]?.body).to.deep.include({ created: false, status: 'queued' });
    expect(fromFast).to.deep.equal(fromExpress);
    // Both recorded the same: the two new requests of each world, nothing for the refused ones.
    for (const base of [fast, viaExpress]) {
      const { students } = worlds[base]!;
      const rows = await db('requests').whereIn('user_id', students).pluck<number[]>('user_id');
      expect(rows.sort(), base).to.deep.equal([students[0], students[4]].sort());
    }
  });
});
