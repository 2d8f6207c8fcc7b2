import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createHttpServer } from '../core/http/http-server.js';
import { GATEWAY_TEMPLATE, WEB_ROOT } from '../scripts/gateway/nginx-gateway.js';
import { LiveClient } from './support/live-client.js';
import { testConfig } from './support/test-config.js';
import { tokenFor } from './support/tokens.js';
import { startWebStack, type WebStack } from './support/web-stack.js';

/** The gateway (real nginx) gives the browser one origin: the app, the api, the waiting room and its socket. */
describe('gateway', function () {
  this.timeout(60_000);
  let stack: WebStack;

  before(async () => {
    stack = await startWebStack();
  });
  after(async () => {
    await stack?.stop();
  });

  it("closes idle upstream connections before the apps' own idle timeout does", () => {
    // Else nginx may send a request down a connection node is closing, and a POST it must not retry
    // elsewhere would come back a 502.
    const nodeIdleS = createHttpServer().keepAliveTimeout / 1000;
    const upstreams = [
      ...readFileSync(GATEWAY_TEMPLATE, 'utf8').matchAll(/^upstream (\w+) \{([\s\S]*?)^\}/gm),
    ];
    expect(upstreams.map((u) => u[1])).to.have.members(['rushline_api', 'rushline_waiting_room']);
    for (const [, name, body] of upstreams) {
      const idle = /keepalive_timeout (\d+)s;/.exec(body ?? '');
      expect(idle, `${name} keepalive_timeout`).to.not.equal(null);
      expect(Number(idle?.[1]), name).to.be.below(nodeIdleS);
    }
  });

  it('serves the web app at / and at any app path, with its security headers', async () => {
    for (const p of ['/', '/terms/1/catalog', '/events/7']) {
      const res = await fetch(`${stack.url}${p}`);
      expect(res.status, p).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/text\/html/);
      expect(res.headers.get('content-security-policy')).to.include("default-src 'self'");
      expect(await res.text()).to.include('<div id="app">');
    }
  });

  it('serves the hashed assets as immutable', async () => {
    const asset = readdirSync(path.join(WEB_ROOT, 'assets')).find((f) => f.endsWith('.js'));
    expect(asset).to.be.a('string');
    const res = await fetch(`${stack.url}/assets/${asset}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.include('immutable');
    const missing = await fetch(`${stack.url}/assets/nope.js`);
    expect(missing.status).to.equal(404);
    // The build manifest is on disk for the size check, not served.
    const manifest = await fetch(`${stack.url}/.vite/manifest.json`);
    expect(manifest.status).to.equal(404);
  });

  it('routes /api to the api and /rooms to the waiting room, JSON errors included', async () => {
    const api = await fetch(`${stack.url}/api/no-such-route`);
    expect(api.status).to.equal(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).to.equal('NOT_FOUND');
    const login = await fetch(`${stack.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody-here', password: 'wrong' }),
    });
    expect(login.status).to.equal(401);
    const rooms = await fetch(`${stack.url}/rooms`);
    expect(rooms.status).to.equal(200);
    expect(await rooms.json()).to.have.property('rooms');
  });

  it('carries socket.io over WebSocket to the waiting room', async () => {
    const client = new LiveClient(stack.url, tokenFor(testConfig(), 4242));
    try {
      const hello = await new Promise<{ userId: number }>((resolve, reject) => {
        client.socket.once('hello', resolve);
        client.socket.once('connect_error', reject);
        setTimeout(() => reject(new Error('no hello through the gateway')), 10_000);
      });
      expect(hello.userId).to.equal(4242);
    } finally {
      client.socket.disconnect();
    }
  });

  it('answers a body over its limit with a JSON 413', async () => {
    const res = await fetch(`${stack.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'x', password: 'y'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).to.equal(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('PAYLOAD_TOO_LARGE');
  });

  it('answers with a JSON 503 when an app is not there (last: stops the api)', async () => {
    await stack.api.stop();
    const res = await fetch(`${stack.url}/api/terms`);
    expect(res.status).to.equal(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('SERVICE_UNAVAILABLE');
  });
});
