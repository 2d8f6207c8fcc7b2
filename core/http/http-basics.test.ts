import { expect } from 'chai';
import request from 'supertest';
import { z } from 'zod';
import { testConfig } from '../../test/support/test-config.js';
import { testLogger } from '../../test/support/silent-logger.js';
import { ConflictError } from '../errors.js';
import { createHttpApp } from './create-http-app.js';
import { parseInput } from './validate.js';

function buildApp(readiness: Record<string, () => Promise<unknown>> = {}) {
  return createHttpApp({
    service: 'test',
    cfg: testConfig({ BODY_LIMIT: '1kb' }),
    logger: testLogger,
    readiness,
    routes: (app) => {
      app.post('/echo', (req, res) => {
        res.json(parseInput(z.object({ name: z.string().min(1) }), req.body));
      });
      app.get('/conflict', () => {
        throw new ConflictError('SEAT_TAKEN', 'Seat 12A was taken', { seat: '12A' });
      });
      app.get('/boom', () => {
        throw new Error('secret internals at /srv/app.ts:42');
      });
      // What express's own pieces throw for a request they can't read: a 4xx marked `expose`.
      app.get('/unreadable', () => {
        throw Object.assign(new Error('internal detail of a dependency'), { status: 416, expose: true });
      });
      app.get('/async-boom', async () => {
        await Promise.resolve();
        throw new TypeError('cannot read x of undefined');
      });
    },
  });
}

describe('HTTP basics shared by every process', () => {
  const app = buildApp();

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await request(app).post('/echo').set('content-type', 'application/json').send('{"name": ');
    expect(res.status).to.equal(400);
    expect(res.body).to.deep.equal({
      error: { code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' },
    });
  });

  it('answers an unknown route with a 404 JSON error', async () => {
    const res = await request(app).get('/nowhere');
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('NOT_FOUND');
    expect(res.type).to.equal('application/json');
  });

  it('answers an oversized body with 413', async () => {
    const res = await request(app)
      .post('/echo')
      .send({ name: 'x'.repeat(5000) });
    expect(res.status).to.equal(413);
    expect(res.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
  });

  it('names the bad field of a body that fails its schema', async () => {
    const res = await request(app).post('/echo').send({ name: 42 });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    expect(res.body.error.details.fields[0].path).to.equal('name');
  });

  it('treats a missing body as a validation error, not a crash', async () => {
    const res = await request(app).post('/echo');
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('VALIDATION_FAILED');
  });

  it('maps an AppError to its status, code, message and details', async () => {
    const res = await request(app).get('/conflict');
    expect(res.status).to.equal(409);
    expect(res.body).to.deep.equal({
      error: { code: 'SEAT_TAKEN', message: 'Seat 12A was taken', details: { seat: '12A' } },
    });
  });

  for (const path of ['/boom', '/async-boom']) {
    it(`hides the internals of an unexpected error behind a reference (${path})`, async () => {
      const res = await request(app).get(path);
      expect(res.status).to.equal(500);
      expect(res.body.error.code).to.equal('INTERNAL');
      expect(res.body.error.reference).to.be.a('string');
      expect(res.text).to.not.contain('secret internals');
      expect(res.text).to.not.contain('.ts:');
    });
  }

  it("keeps the 4xx of an error express's own pieces throw, without their message", async () => {
    const res = await request(app).get('/unreadable');
    expect(res.status).to.equal(416);
    expect(res.body).to.deep.equal({
      error: { code: 'BAD_REQUEST', message: 'The request could not be read' },
    });
  });

  it('gives every response a request id and keeps a sane incoming one', async () => {
    const fresh = await request(app).get('/healthz');
    expect(fresh.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    const kept = await request(app).get('/healthz').set('x-request-id', 'trace-abc.123');
    expect(kept.headers['x-request-id']).to.equal('trace-abc.123');
    const replaced = await request(app).get('/healthz').set('x-request-id', 'bad id with spaces');
    expect(replaced.headers['x-request-id']).to.not.equal('bad id with spaces');
  });

  it("sends helmet's security headers", async () => {
    const res = await request(app).get('/healthz');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['content-security-policy']).to.be.a('string');
    expect(res.headers['x-powered-by']).to.equal(undefined);
  });
});

describe('health endpoints', () => {
  it('answers /healthz while alive', async () => {
    const res = await request(buildApp()).get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('ok');
  });

  it('answers /readyz 200 when every dependency answers', async () => {
    const res = await request(
      buildApp({ mysql: () => Promise.resolve(), redis: () => Promise.resolve() }),
    ).get('/readyz');
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('ready');
  });

  it('answers /readyz 503 naming the dependency that fails', async () => {
    const res = await request(
      buildApp({
        mysql: () => Promise.reject(new Error('connect ECONNREFUSED')),
        redis: () => Promise.resolve(),
      }),
    ).get('/readyz');
    expect(res.status).to.equal(503);
    expect(res.body.error.details.failing).to.deep.equal(['mysql']);
    expect(res.body.error.message).to.contain('mysql');
    expect(res.body.checks.redis.ok).to.equal(true);
  });
});
