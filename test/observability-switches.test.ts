import { expect } from 'chai';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';

/** The access lines a process wrote for `route` (pino JSON lines with msg "request"). */
function accessLines(p: AppProcess, route: string): { route: string; status: number; reqId: string }[] {
  return p.logs
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; route?: string; status?: number; reqId?: string })
    .filter((l) => l.msg === 'request' && l.route === route)
    .map((l) => ({ route: l.route ?? '', status: l.status ?? 0, reqId: l.reqId ?? '' }));
}

/** Waits until pino's asynchronous stdout has delivered what it holds (or the bound passes). */
async function settle(until: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !until(); i += 1) await new Promise((r) => setTimeout(r, 100));
}

describe('ACCESS_LOG and METRICS: on by default, off when told (what the bench measures)', function () {
  this.timeout(60_000);
  const started: AppProcess[] = [];
  after(async () => {
    await Promise.all(started.map((p) => p.stop()));
  });

  const ask = (p: AppProcess, path: string, headers: Record<string, string> = {}) =>
    fetch(`${p.url}${path}`, { headers });

  it('on: an access line per request with its id, and the request counted on /metrics', async () => {
    const api = await startAppProcess('api');
    started.push(api);
    const res = await ask(api, '/api/terms/999999999/sections', { 'X-Request-Id': 'switch-on-1' });
    expect(res.status).to.be.within(400, 499);
    await settle(() => accessLines(api, '/api/terms/:termId/sections').length > 0);
    expect(accessLines(api, '/api/terms/:termId/sections')).to.deep.include({
      route: '/api/terms/:termId/sections',
      status: res.status,
      reqId: 'switch-on-1',
    });
    const metrics = await (await ask(api, '/metrics')).text();
    expect(metrics).to.match(/rushline_http_requests_total\{[^}]*route="\/api\/terms\/:termId\/sections"/);
  });

  it('off: no access line, /metrics is a 404 saying so, and the process still answers', async () => {
    const api = await startAppProcess('api', { ACCESS_LOG: 'false', METRICS: 'false' });
    started.push(api);
    const res = await ask(api, '/api/terms/999999999/sections', { 'X-Request-Id': 'switch-off-1' });
    expect(res.status).to.be.within(400, 499);
    const metrics = await ask(api, '/metrics');
    expect(metrics.status).to.equal(404);
    expect(((await metrics.json()) as { error: { code: string } }).error.code).to.equal('METRICS_DISABLED');
    // A later line proves the earlier ones were flushed: the process logs its stop.
    await api.stop();
    expect(api.logs.some((l) => l.includes('switch-off-1'))).to.equal(false);
    expect(accessLines(api, '/api/terms/:termId/sections')).to.deep.equal([]);
  });
});
