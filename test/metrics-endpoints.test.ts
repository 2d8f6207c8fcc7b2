import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { ADMISSION_STAGES } from '../core/metrics/admission-metrics.js';
import { SUBMIT_STAGES } from '../core/metrics/submit-metrics.js';
import type { Knex } from 'knex';
import { createDb } from '../core/db.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { createEnrollmentFixture, createSection, createStudents } from './support/catalog-fixture.js';
import { freshKey } from './support/enrollment-submissions.js';
import { createSale, waitForOutcomes, type SaleFixture } from './support/event-fixture.js';
import { holdSeats } from './support/hold-seats.js';
import { LiveClient } from './support/live-client.js';
import { testConfig } from './support/test-config.js';
import { mapConcurrent, tokenFor } from './support/tokens.js';

/** One scrape: each sample's value by its series (`name{labels}` as written), and the families declared. */
interface Scrape {
  families: Map<string, string>;
  samples: Map<string, number>;
}

function parseScrape(text: string): Scrape {
  const families = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) families.set(type[1]!, type[2]!);
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { families, samples };
}

/** The sum over a family's samples whose labels include every `label="value"` given. */
function total(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const [series, value] of s.samples) {
    const brace = series.indexOf('{');
    if ((brace < 0 ? series : series.slice(0, brace)) !== name) continue;
    if (wanted.every((w) => series.includes(w))) sum += value;
  }
  return sum;
}

const seriesOf = (s: Scrape, name: string) =>
  [...s.samples.keys()].filter((k) => k === name || k.startsWith(`${name}{`));

const COMMON = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_gc_duration_seconds',
  'nodejs_heap_size_used_bytes',
  'rushline_ready',
];
const HTTP = ['rushline_http_requests_total', 'rushline_http_request_duration_seconds'];
const WAITING_ROOM = [
  'rushline_room_waiting',
  'rushline_room_active',
  'rushline_room_admitted_total',
  'rushline_room_admission_rate_per_minute',
  'rushline_room_no_shows_total',
  'rushline_room_sold_out',
  'rushline_commit_backlog',
  'rushline_socket_connections',
  'rushline_room_watchers',
  'rushline_pushes_total',
  'rushline_admission_stage_seconds',
];
const WORKER = [
  'rushline_queue_jobs',
  'rushline_commits_total',
  'rushline_commit_batch_size',
  'rushline_commit_batch_duration_seconds',
  'rushline_commit_retries_total',
  'rushline_submit_to_outcome_seconds',
  'rushline_payments_total',
];

/**
 * Issue 14's metrics and access logs (ADR 016) on the three real processes: every family of the catalog
 * is on each process's /metrics and moves while a few students join, are let in, submit and get their
 * outcomes and one person pays; /metrics is refused through the gateway without the token; the access
 * line names the route, and the request id a client sent shows up in the worker's line for its job.
 */
describe('/metrics and access logs on the api, the waiting room and the worker', function () {
  this.timeout(120_000);
  const cfg = testConfig();
  const CROWD = 6;
  const SEATS = 3;
  const METRICS_TOKEN = 'metrics-test-token-0123456789';
  let db: Knex;
  let api: AppProcess;
  let waitingRoom: AppProcess;
  let worker: AppProcess;
  let roomId: number;
  let sectionId: number;
  let sale: SaleFixture;
  let students: number[];
  const first: Record<string, Scrape> = {};
  const clients: LiveClient[] = [];
  const auth = (id: number) => ({ authorization: `Bearer ${tokenFor(cfg, id)}` });

  const scrape = async (app: AppProcess, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}/metrics`, { headers });
    expect(res.status, `${app.name} /metrics`).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    return parseScrape(await res.text());
  };

  before(async () => {
    db = createDb(cfg);
    // The rooms exist before the worker starts, so it opens their commit queues at once.
    const fixture = await createEnrollmentFixture(db);
    roomId = fixture.roomId;
    ({ sectionId } = await createSection(db, fixture, { capacity: SEATS }));
    sale = await createSale(db, { rows: 1, seatsPerRow: 4 });
    students = await createStudents(db, CROWD + 1);
    const env = { ADMISSION_TICK_MS: '200', ROOM_SYNC_MS: '200', METRICS_TOKEN };
    [api, waitingRoom, worker] = await Promise.all([
      startAppProcess('api', env),
      startAppProcess('waiting-room', env),
      startAppProcess('worker', env),
    ]);
  });
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all([api, waitingRoom, worker].filter(Boolean).map((a) => a.stop()));
    await db?.destroy();
  });

  it('declares every family of the catalog on each process, every series labelled with its app', async () => {
    // The leader exports a room's figures from its first tick of it.
    for (let i = 0; i < 100; i++) {
      const s = await scrape(waitingRoom);
      if (seriesOf(s, 'rushline_room_waiting').some((k) => k.includes(`room="${roomId}"`))) break;
      await sleep(100);
    }
    const expected: [AppProcess, string, string[]][] = [
      [api, 'api', [...COMMON, ...HTTP, 'rushline_submit_stage_seconds']],
      [waitingRoom, 'waiting-room', [...COMMON, ...HTTP, ...WAITING_ROOM]],
      [worker, 'worker', [...COMMON, ...WORKER]],
    ];
    for (const [app, name, families] of expected) {
      const s = await scrape(app);
      first[name] = s;
      expect(
        families.filter((f) => !s.families.has(f)),
        `${name}: families missing`,
      ).to.deep.equal([]);
      const unlabelled = [...s.samples.keys()].filter((k) => !k.includes(`app="${name}"`));
      expect(unlabelled, `${name}: series without app="${name}"`).to.deep.equal([]);
      expect(total(s, 'rushline_ready'), `${name} ready`).to.equal(1);
    }
    // Known label sets exist at 0 from the start, so dashboards' queries find them before any event.
    const w = first.worker!;
    expect(seriesOf(w, 'rushline_commit_retries_total')).to.have.length(4);
    expect(seriesOf(w, 'rushline_payments_total')).to.have.length(4);
    // Present, not necessarily 0: the worker may already have committed what earlier test files queued.
    for (const kind of ['enrollment', 'reservation']) {
      expect(
        seriesOf(w, 'rushline_submit_to_outcome_seconds_count').filter((k) => k.includes(`kind="${kind}"`)),
        kind,
      ).to.have.length(1);
    }
    const r = first['waiting-room']!;
    expect(seriesOf(r, 'rushline_room_no_shows_total').some((k) => k.includes(`room="${roomId}"`))).to.equal(
      true,
    );
    expect(total(r, 'rushline_pushes_total', { event: 'request:update' })).to.equal(0);
  });

  it('refuses /metrics to a request relayed by the gateway, unless it carries METRICS_TOKEN', async () => {
    const relayed = { 'x-forwarded-for': '203.0.113.9' };
    for (const app of [api, waitingRoom, worker]) {
      const refused = await fetch(`${app.url}/metrics`, { headers: relayed });
      expect(refused.status, app.name).to.equal(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).to.equal(
        'METRICS_FORBIDDEN',
      );
      const wrong = await fetch(`${app.url}/metrics`, {
        headers: { ...relayed, authorization: 'Bearer not-the-metrics-token-at-all' },
      });
      expect(wrong.status, app.name).to.equal(403);
      await scrape(app, { ...relayed, authorization: `Bearer ${METRICS_TOKEN}` });
    }
  });

  it('moves every family while students join, get in, submit, get outcomes, and one pays', async () => {
    const crowd = students.slice(0, CROWD);
    // Two watch the room live: connections, watchers, pushes.
    for (const id of crowd.slice(0, 2)) {
      const c = new LiveClient(waitingRoom.url, tokenFor(cfg, id));
      clients.push(c);
      await c.connected();
      await c.watch(roomId);
    }
    await mapConcurrent(crowd, 3, async (id) => {
      const res = await fetch(`${waitingRoom.url}/rooms/${roomId}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(id) },
        body: JSON.stringify({ clientRequestId: `metrics-${id}-join` }),
      });
      expect(res.status, `join of ${id}`).to.equal(201);
    });
    const requestIds: number[] = [];
    await mapConcurrent(crowd, 3, async (id) => {
      let token: string | null = null;
      for (let i = 0; i < 300 && !token; i++) {
        const res = await fetch(`${waitingRoom.url}/rooms/${roomId}/status`, { headers: auth(id) });
        token = ((await res.json()) as { admissionToken: string | null }).admissionToken;
        if (!token) await sleep(100);
      }
      expect(token, `admission of ${id}`).to.be.a('string');
      const res = await fetch(`${api.url}/api/enrollments`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...auth(id),
          'idempotency-key': freshKey(),
          'x-admission-token': token!,
          'x-request-id': `trace-${id}`,
        },
        body: JSON.stringify({ sectionIds: [sectionId] }),
      });
      expect(res.status, `enrollment of ${id}`).to.equal(202);
      expect(res.headers.get('x-request-id')).to.equal(`trace-${id}`);
      requestIds.push(((await res.json()) as { requestId: number }).requestId);
    });
    await waitForOutcomes(db, requestIds, 30_000);
    expect((await fetch(`${api.url}/no/such/route`)).status).to.equal(404);

    // A sale: seats held through the worker, then paid through the api.
    const payer = students[CROWD]!;
    const { reservationId } = await holdSeats(api.url, cfg, db, sale, payer, ['A1']);
    const paid = await fetch(`${api.url}/api/reservations/${reservationId}/pay`, {
      method: 'POST',
      headers: {
        ...auth(payer),
        'content-type': 'application/json',
        'idempotency-key': `metrics-pay-${reservationId}`,
      },
      body: '{}',
    });
    expect(paid.status, await paid.clone().text()).to.equal(200);
    // Until the leader's tick after the last admission, and a job count newer than the paid reservation.
    const settled = async (app: AppProcess, ready: (s: Scrape) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const s = await scrape(app);
        if (ready(s)) return;
        await sleep(100);
      }
    };
    await settled(waitingRoom, (s) => total(s, 'rushline_room_sold_out', { room: String(roomId) }) === 1);
    await settled(worker, (s) => total(s, 'rushline_queue_jobs', { queue: 'after-payment' }) >= 1);

    const a = await scrape(api);
    const b = first.api!;
    const moved = (s: Scrape, p: Scrape, name: string, labels: Record<string, string> = {}) =>
      total(s, name, labels) - total(p, name, labels);
    const enrolled = { method: 'POST', route: '/api/enrollments', status: '202' };
    expect(moved(a, b, 'rushline_http_requests_total', enrolled)).to.equal(CROWD);
    expect(moved(a, b, 'rushline_http_request_duration_seconds_count', enrolled)).to.equal(CROWD);
    expect(moved(a, b, 'rushline_http_requests_total', { route: 'unmatched', status: '404' })).to.equal(1);
    // No raw URL ever becomes a label.
    expect(seriesOf(a, 'rushline_http_requests_total').filter((k) => /route="[^"]*\d/.test(k))).to.deep.equal(
      [],
    );
    expect(moved(a, b, 'rushline_payments_total', { result: 'paid' })).to.equal(1);
    // Each submission (the crowd's enrollments and the payer's reservation) passed every stage once, and
    // writing their rows took time.
    for (const stage of SUBMIT_STAGES) {
      expect(moved(a, b, 'rushline_submit_stage_seconds_count', { stage }), stage).to.equal(CROWD + 1);
    }
    expect(moved(a, b, 'rushline_submit_stage_seconds_sum', { stage: 'insert' })).to.be.greaterThan(0);
    expect(moved(a, b, 'process_cpu_seconds_total')).to.be.greaterThan(0);

    const r = await scrape(waitingRoom);
    const rb = first['waiting-room']!;
    const room = { room: String(roomId) };
    const joined = { method: 'POST', route: '/rooms/:roomId/join', status: '201' };
    expect(moved(r, rb, 'rushline_http_requests_total', joined)).to.equal(CROWD);
    expect(moved(r, rb, 'rushline_http_requests_total', { route: '/rooms/:roomId/status' })).to.be.at.least(
      CROWD,
    );
    expect(moved(r, rb, 'rushline_room_admitted_total', room)).to.equal(CROWD);
    expect(total(r, 'rushline_room_waiting', room)).to.equal(0);
    expect(total(r, 'rushline_room_admission_rate_per_minute', room)).to.be.greaterThan(0);
    expect(seriesOf(r, 'rushline_room_active').some((k) => k.includes(`room="${roomId}"`))).to.equal(true);
    // Its one section is full now: sold out, which it was not before.
    expect(total(rb, 'rushline_room_sold_out', room)).to.equal(0);
    expect(total(r, 'rushline_room_sold_out', room)).to.equal(1);
    expect(seriesOf(r, 'rushline_commit_backlog').some((k) => k.includes(`room="${roomId}"`))).to.equal(true);
    expect(total(r, 'rushline_room_no_shows_total', room)).to.equal(0);
    expect(total(r, 'rushline_socket_connections')).to.equal(2);
    expect(total(r, 'rushline_room_watchers', room)).to.equal(2);
    // Pushes are counted by event, not room, and this process also leads the rooms earlier test files of
    // the run left in its database: at least the crowd (the room's own admissions are exact above).
    expect(moved(r, rb, 'rushline_pushes_total', { event: 'admitted' })).to.be.at.least(CROWD);
    expect(moved(r, rb, 'rushline_pushes_total', { event: 'room:tick' })).to.be.greaterThan(0);
    // Every stage of an admission tick is timed, once per room tick; letting the crowd in took time there.
    const stageTicks = ADMISSION_STAGES.map((stage) =>
      moved(r, rb, 'rushline_admission_stage_seconds_count', { stage }),
    );
    expect(stageTicks[0], 'room ticks timed').to.be.greaterThan(0);
    expect(new Set(stageTicks).size, 'one observation per stage per room tick').to.equal(1);
    expect(moved(r, rb, 'rushline_admission_stage_seconds_sum', { stage: 'admit' })).to.be.greaterThan(0);

    const w = await scrape(worker);
    const wb = first.worker!;
    const enrollment = { kind: 'enrollment' };
    expect(moved(w, wb, 'rushline_commits_total', { ...enrollment, outcome: 'ENROLLED' })).to.equal(SEATS);
    expect(moved(w, wb, 'rushline_commits_total', enrollment)).to.equal(CROWD);
    expect(moved(w, wb, 'rushline_commits_total', { kind: 'reservation', outcome: 'SEATS_HELD' })).to.equal(
      1,
    );
    expect(moved(w, wb, 'rushline_commit_batch_size_sum', enrollment)).to.equal(CROWD);
    expect(moved(w, wb, 'rushline_commit_batch_duration_seconds_count', enrollment)).to.be.at.least(1);
    expect(moved(w, wb, 'rushline_submit_to_outcome_seconds_count', enrollment)).to.equal(CROWD);
    expect(moved(w, wb, 'rushline_pushes_total', { event: 'request:update' })).to.equal(CROWD + 1);
    // Job counts are cached for a second per process (and a room's queue is listed once the worker has
    // found the room): a scrape right after the last outcome or the payment may predate them. Scrape again.
    const jobs = async (labels: Record<string, string>) => {
      let n = total(w, 'rushline_queue_jobs', labels);
      for (let i = 0; i < 30 && n < 1; i++) {
        await sleep(500);
        n = total(await scrape(worker), 'rushline_queue_jobs', labels);
      }
      return n;
    };
    expect(await jobs({ queue: `commit-room-${roomId}`, state: 'completed' })).to.be.at.least(1);
    expect(await jobs({ queue: 'after-payment' })).to.be.at.least(1);
    expect(moved(w, wb, 'rushline_commit_retries_total')).to.equal(0);
  });

  it('writes one access line per request, and the request id reaches the worker’s line for its job', async () => {
    const id = students[0]!;
    const lines = (app: AppProcess) =>
      app.logs.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
    const jobLines = () =>
      lines(worker).filter(
        (l) => l.msg === 'commit job done' && (l.reqIds as string[] | undefined)?.includes(`trace-${id}`),
      );
    const accessLines = () => lines(api).filter((l) => l.msg === 'request' && l.reqId === `trace-${id}`);
    // Logs are written asynchronously and access lines buffered for up to 250 ms (ADR 016): wait until
    // both are in.
    for (let i = 0; i < 50 && (jobLines().length === 0 || accessLines().length === 0); i++) await sleep(100);
    const access = accessLines();
    expect(access).to.have.length(1);
    expect(access[0]).to.include({
      level: 30,
      method: 'POST',
      route: '/api/enrollments',
      status: 202,
      userId: id,
    });
    expect(access[0]!.ms).to.be.a('number');
    // The raw join path writes the same line as express would.
    const joins = lines(waitingRoom).filter((l) => l.msg === 'request' && l.route === '/rooms/:roomId/join');
    expect(joins).to.have.length(CROWD);
    expect(joins.map((l) => l.userId).sort()).to.deep.equal(students.slice(0, CROWD).sort());
    // Probes and scrapes are counted but not logged.
    expect(lines(api).filter((l) => l.msg === 'request' && l.route === '/metrics')).to.deep.equal([]);

    const jobs = jobLines();
    expect(jobs).to.have.length(1);
    const [request] = await db('requests').where({ user_id: id, room_id: roomId }).pluck<number[]>('id');
    const job = jobs[0]!;
    const at = (job.reqIds as string[]).indexOf(`trace-${id}`);
    expect((job.requestIds as number[])[at]).to.equal(request);
  });
});
