import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../core/db.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { RULE_FILES } from '../scripts/services/prometheus.js';
import { createEnrollmentFixture, createSection, createStudents } from './support/catalog-fixture.js';
import { outcomeCounts, waitForOutcomes } from './support/event-fixture.js';
import { loadDashboards, panelQueries } from './support/grafana-dashboards.js';
import { LiveClient } from './support/live-client.js';
import { metricNames } from './support/promql-names.js';
import { admissionOf, joinRoom, submitEnrollment } from './support/room-crowd.js';
import { startTestPrometheus, type PromVector, type TestPrometheus } from './support/prometheus-server.js';
import { testConfig } from './support/test-config.js';
import { mapConcurrent, tokenFor } from './support/tokens.js';

const run = promisify(execFile);

interface LoadedRule {
  name: string;
  query: string;
  health: string;
  lastError?: string;
}

/**
 * The Done-when of issue 14's dashboards: a real Prometheus scrapes the api, the waiting room and the
 * worker while a small crowd goes through a registration room; then every Grafana panel's query returns
 * data, every alert rule loads and evaluates, and no expression names a metric Prometheus never saw.
 */
describe('Prometheus, the dashboards and the alert rules against the three processes', function () {
  this.timeout(240_000);
  const cfg = testConfig();
  const CROWD = 20;
  const SEATS = 8;
  let db: Knex;
  let apps: AppProcess[] = [];
  let prom: TestPrometheus;
  const clients: LiveClient[] = [];
  let crowdDoneAt = 0;

  before(async () => {
    db = createDb(cfg);
    const env = { ADMISSION_TICK_MS: '200', ROOM_SYNC_MS: '200' };
    apps = await Promise.all([
      startAppProcess('api', env),
      startAppProcess('waiting-room', env),
      startAppProcess('worker', env),
    ]);
    const [api, waitingRoom, worker] = apps as [AppProcess, AppProcess, AppProcess];
    prom = await startTestPrometheus({
      api: [`127.0.0.1:${api.port}`],
      'waiting-room': [`127.0.0.1:${waitingRoom.port}`],
      worker: [`127.0.0.1:${worker.port}`],
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await prom?.stop();
    await Promise.all(apps.map((a) => a.stop()));
    await db?.destroy();
  });

  const instant = (query: string) => prom.api<PromVector>('query', { query });

  it('lets a crowd through a room while Prometheus scrapes every process', async () => {
    const [api, waitingRoom] = apps as [AppProcess, AppProcess, AppProcess];
    const fixture = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, fixture, { capacity: SEATS });
    // Nobody asks for this one, so the room is never sold out and admits everyone who joined.
    await createSection(db, fixture, { capacity: 100 });
    const students = await createStudents(db, CROWD);
    const auth = (id: number) => ({ authorization: `Bearer ${tokenFor(cfg, id)}` });

    // A few watch the room live (sockets, watchers, pushes); everyone joins.
    for (const id of students.slice(0, 5)) {
      const c = new LiveClient(waitingRoom.url, tokenFor(cfg, id));
      clients.push(c);
      await c.connected();
      await c.watch(fixture.roomId);
    }
    await joinRoom(waitingRoom.url, cfg, fixture.roomId, students);

    // Each, once admitted, asks for the one section: SEATS get it, the rest are refused.
    const requestIds = await mapConcurrent(students, 10, async (id) => {
      const token = await admissionOf(waitingRoom.url, cfg, fixture.roomId, id);
      const res = await submitEnrollment(api.url, cfg, id, token, [sectionId]);
      expect(res.status, `enrollment of ${id}`).to.equal(202);
      return ((await res.json()) as { requestId: number }).requestId;
    });
    // One bad request, so a 4xx status is among the HTTP series.
    expect(
      (await fetch(`${api.url}/api/enrollments`, { method: 'POST', headers: auth(students[0]!) })).status,
    ).to.equal(400);

    await waitForOutcomes(db, requestIds);
    expect(await outcomeCounts(db, requestIds)).to.deep.equal({
      committed: SEATS,
      rejected: CROWD - SEATS,
    });
    crowdDoneAt = Date.now() / 1000;
  });

  it('has scraped every process since the crowd went through', async () => {
    // Waits for a scrape of each job that started two seconds after the crowd was done, so the
    // counters Prometheus holds include every commit.
    let scraped: string[] = [];
    for (let i = 0; i < 300 && scraped.length < 3; i++) {
      const v = await instant(`timestamp(up == 1) > ${crowdDoneAt + 2}`);
      scraped = v.result.map((r) => r.metric.job ?? '').sort();
      if (scraped.length < 3) await sleep(100);
    }
    expect(scraped).to.deep.equal(['api', 'waiting-room', 'worker']);
  });

  it('answers every dashboard panel’s query with data', async () => {
    const dashboards = loadDashboards();
    expect(dashboards.map((d) => d.title).sort()).to.deep.equal([
      'Commit pipeline',
      'Processes',
      'Rush overview',
      'Waiting rooms',
    ]);
    const queries = panelQueries(dashboards);
    const empty: string[] = [];
    for (const q of queries) {
      const v = await instant(q.expr); // throws on a query Prometheus cannot parse
      if (v.result.length === 0) empty.push(`${q.where}: ${q.expr}`);
    }
    expect(empty, 'panels without data').to.deep.equal([]);

    // The variables' pickers (Grafana's label_values(metric, label)) list something too.
    for (const d of dashboards) {
      for (const variable of d.templating.list) {
        const m = /^label_values\((\w+), *(\w+)\)$/.exec(variable.definition);
        expect(m, `${d.title} variable ${variable.name}`).to.not.equal(null);
        const values = await prom.api<string[]>(`label/${m![2]}/values`, { 'match[]': m![1]! });
        expect(values, `${d.title} $${variable.name}`).to.not.be.empty;
      }
    }
  });

  it('loads every alert rule (promtool agrees) and evaluates each without error', async () => {
    const checked = await run('promtool', ['check', 'rules', ...RULE_FILES]);
    const found = [...checked.stdout.matchAll(/SUCCESS: (\d+) rules found/g)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );

    // Evaluated every second: wait until each rule has been evaluated at least once.
    let rules: LoadedRule[] = [];
    for (let i = 0; i < 100; i++) {
      const data = await prom.api<{ groups: { rules: (LoadedRule & { lastEvaluation: string })[] }[] }>(
        'rules',
      );
      const all = data.groups.flatMap((g) => g.rules);
      rules = all;
      if (all.every((r) => !r.lastEvaluation.startsWith('0001-'))) break;
      await sleep(100);
    }
    expect(rules).to.have.length(found);
    expect(found).to.be.greaterThan(0);
    expect(
      rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`),
    ).to.deep.equal([]);
  });

  it('names no metric that Prometheus has not seen, in any panel or rule', async () => {
    const known = new Set(await prom.api<string[]>('label/__name__/values'));
    const rules = (await prom.api<{ groups: { rules: LoadedRule[] }[] }>('rules')).groups.flatMap(
      (g) => g.rules,
    );
    const expressions = [
      ...panelQueries(loadDashboards()),
      ...rules.map((r) => ({ where: `rule ${r.name}`, expr: r.query })),
    ];
    const unknown = expressions.flatMap((e) =>
      metricNames(e.expr)
        .filter((name) => !known.has(name))
        .map((name) => `${e.where}: ${name}`),
    );
    expect(unknown).to.deep.equal([]);
    // Every expression names at least one metric, so an empty list above means something.
    expect(expressions.filter((e) => metricNames(e.expr).length === 0).map((e) => e.where)).to.deep.equal([]);
  });

  it('reads metric names out of PromQL the way the checks above rely on', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, kind) (rate(a_seconds_bucket{room=~"x|y"}[1m]))) / on (kind) group_left b_total offset 5m',
      ),
    ).to.deep.equal(['a_seconds_bucket', 'b_total']);
    expect(
      metricNames('(sum(rate(c_total{status=~"5.."}[1m])) or vector(0)) > 1e3 and up == 0'),
    ).to.deep.equal(['c_total', 'up']);
  });
});
