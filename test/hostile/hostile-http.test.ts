import { expect } from 'chai';
import fc from 'fast-check';
import { sendRaw, type RawResponse } from '../support/raw-http.js';
import { mapConcurrent } from '../support/tokens.js';
import {
  causeOf,
  describeRequest,
  describeResponse,
  distinct,
  recordFindings,
  type Finding,
} from './findings.js';
import { hostileCase, paramValues, type HostileCase } from './hostile-requests.js';
import { HostileTokens } from './hostile-tokens.js';
import { startHostileWorld, type HostileWorld } from './hostile-world.js';
import { checkResponse } from './response-checks.js';
import { routeName, type RouteEntry } from './route-inventory.js';
import { changes, WriteSnapshots } from './write-snapshot.js';

/** Cases per run: 10,000 by default (CI); HOSTILE_RUNS raises it for a longer hunt. */
const RUNS = Math.max(1, Number(process.env.HOSTILE_RUNS ?? 10_000));
/** A failing run prints its seed; HOSTILE_SEED replays it. */
const SEED = Number(process.env.HOSTILE_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 8;
/** Cases between two write snapshots: small, so a batch with an accepted request rarely hides others. */
const BATCH = 16;

/**
 * Inputs still failing when this suite was last made green, each kept out by name until the edge is
 * fixed (listed in the reply to issue 13 and in the findings file). The general checks stay whole.
 */
/** Inputs known to fail, kept out by name until fixed (none now); the general checks never change. */
const KNOWN_FAILURES: { why: string; matches: (c: HostileCase) => boolean }[] = [];

interface Outcome {
  c: HostileCase;
  res: RawResponse | { error: string };
}

describe('hostile input over HTTP (issue 13)', function () {
  // ~10,000 requests against three in-process apps; a minute or two on two cores.
  this.timeout(10 * 60_000);
  let world: HostileWorld;
  let tokens: HostileTokens;
  let snapshots: WriteSnapshots;

  before(async () => {
    world = await startHostileWorld();
    tokens = new HostileTokens(world.cfg, world.ids);
    snapshots = new WriteSnapshots(world.db, world.redis, world.cfg.redis.prefix);
  });
  after(async () => {
    await world.stop();
  });

  it('sees the writes of accepted requests, so a refusal that writes cannot pass unseen', async () => {
    const join = async (access: string) => {
      const before = await snapshots.take();
      const res = await sendRaw(world.urls['waiting-room'] ?? '', {
        method: 'POST',
        target: `/rooms/${world.ids.roomId}/join`,
        headers: [
          ['Authorization', `Bearer ${access}`],
          ['Content-Type', 'application/json'],
        ],
        body: Buffer.from(JSON.stringify({ clientRequestId: 'hostile-self-check' })),
      });
      return { status: 'error' in res ? 0 : res.status, wrote: changes(before, await snapshots.take()) };
    };
    const refused = await join(tokens.access('forged'));
    expect(refused).to.deep.equal({ status: 401, wrote: [] });
    const joined = await join(tokens.access('staff'));
    expect(joined.status).to.equal(201);
    expect(joined.wrote.some((w) => w.startsWith(`redis {r:${world.ids.roomId}}:`))).to.equal(true);

    const before = await snapshots.take();
    const res = await sendRaw(world.urls.api ?? '', {
      method: 'POST',
      target: '/api/staff/majors',
      headers: [
        ['Authorization', `Bearer ${tokens.access('staff')}`],
        ['Content-Type', 'application/json'],
      ],
      body: Buffer.from(JSON.stringify({ code: 'HSTL', name: 'Hostile self-check' })),
    });
    expect('error' in res ? 0 : res.status).to.equal(201);
    const wrote = changes(before, await snapshots.take());
    expect(wrote.filter((w) => w.startsWith('mysql majors: '))).to.have.length(1);
    // An UPDATE changes no count: the checksum sees it.
    const beforeUpdate = await snapshots.take();
    await world.db('majors').where({ code: 'HSTL' }).update({ name: 'Hostile self-check, renamed' });
    const afterUpdate = await snapshots.take();
    const sum = 'mysql majors checksum';
    expect(changes(beforeUpdate, afterUpdate)).to.deep.equal([
      `${sum}: ${beforeUpdate[sum]} → ${afterUpdate[sum]}`,
    ]);
  });

  it('refuses every generated request with a 4xx JSON error, never a 500 or a stack, and writes nothing', async () => {
    const params = paramValues(world.realIds);
    const unknownParams = world.routes.flatMap((r) =>
      r.params.filter((p) => !(p in params)).map((p) => `${routeName(r)} (:${p})`),
    );
    expect(unknownParams, 'routes whose parameters have no hostile values in paramValues()').to.deep.equal(
      [],
    );
    const authenticated = await authenticatedRoutes(world);

    // Every route gets its share, so a route added tomorrow is covered as much as the others.
    // Known failures are kept out and replaced, so the run still sends RUNS cases.
    const perRoute = Math.ceil(RUNS / world.routes.length);
    const isKnown = (c: HostileCase) => KNOWN_FAILURES.some((k) => k.matches(c));
    let skipped = 0;
    const cases: HostileCase[] = [];
    for (let round = 0; cases.length < RUNS; round++) {
      world.routes.forEach((r, i) => {
        const seed = SEED + round * world.routes.length + i;
        for (const c of fc.sample(hostileCase([r], params, tokens), { numRuns: perRoute, seed })) {
          if (isKnown(c)) skipped++;
          else cases.push(c);
        }
      });
    }
    cases.length = Math.max(RUNS, perRoute * world.routes.length - skipped);
    shuffle(cases, SEED);

    const findings: Finding[] = [];
    const recheck: Outcome[] = [];
    /** Batches of refusals only that wrote: a failure even if no single replay writes again. */
    const refusalsThatWrote: string[] = [];
    const perRouteSeen = new Map<string, number>();
    for (let at = 0; at < cases.length; at += BATCH) {
      const batch = cases.slice(at, at + BATCH);
      const before = await snapshots.take();
      const outcomes = await mapConcurrent(batch, CONCURRENCY, async (c) => ({
        c,
        res: await sendRaw(world.urls[c.route.service] ?? '', c.request),
      }));
      const wrote = changes(before, await snapshots.take());
      for (const o of outcomes) {
        const name = routeName(o.c.route);
        perRouteSeen.set(name, (perRouteSeen.get(name) ?? 0) + 1);
        for (const problem of checkResponse(o.res, {
          method: o.c.request.method,
          access: o.c.access,
          // Only the route's own method: a CORS preflight (OPTIONS) is answered before anyone signs in.
          authenticated: authenticated.has(name) && sameMethod(o.c.request.method, o.c.route.method),
        })) {
          findings.push(finding(o, problem));
        }
      }
      // Something wrote: replay each refusal of the batch alone below, to find the one that did.
      if (wrote.length > 0) {
        recheck.push(...outcomes.filter((o) => isRefusal(o.res)));
        if (outcomes.every((o) => isRefusal(o.res))) {
          refusalsThatWrote.push(`${wrote.join(', ')} (batch at case ${at})`);
        }
      }
    }

    for (const o of recheck) {
      const before = await snapshots.take();
      const res = await sendRaw(world.urls[o.c.route.service] ?? '', o.c.request);
      const wrote = changes(before, await snapshots.take());
      if (isRefusal(res) && wrote.length > 0) {
        findings.push(finding({ c: o.c, res }, `refused, yet wrote ${wrote.join(', ')}`));
      }
    }

    const uncovered = world.routes.map(routeName).filter((n) => (perRouteSeen.get(n) ?? 0) === 0);
    const unique = distinct(findings);
    recordFindings(unique, `hostile HTTP (seed ${SEED})`);
    console.log(
      `      hostile input: ${cases.length} HTTP cases over ${world.routes.length} routes ` +
        `(seed ${SEED}, ${recheck.length} replayed alone, ${skipped} known failures kept out), ` +
        `${findings.length} failures`,
    );
    expect(uncovered, 'routes no case reached').to.deep.equal([]);
    expect(
      refusalsThatWrote,
      'batches where every request was refused, yet something was written',
    ).to.deep.equal([]);
    const report = unique.map((f) => `${f.title} (first on ${f.route})\n  ${f.request}\n  → ${f.response}`);
    expect(
      unique.length,
      `failing inputs (HOSTILE_SEED=${SEED} replays them):\n${report.join('\n')}`,
    ).to.equal(0);
  });
});

const sameMethod = (sent: string, route: string): boolean =>
  sent === route || (sent === 'HEAD' && route === 'GET');

const isRefusal = (res: RawResponse | { error: string }): boolean => 'error' in res || res.status >= 400;

function finding(o: Outcome, problem: string): Finding {
  const cause = /let in/.test(problem) ? undefined : causeOf(o.c.request, o.c.trick, problem);
  const what = problem.replace(/\(\d{3}\)$/, '(2xx/3xx)').replace(/wrote .*/, 'wrote');
  return {
    title: cause ? `${what} · ${cause}` : what,
    route: routeName(o.c.route),
    request: describeRequest(o.c.request),
    response: describeResponse(o.res),
  };
}

/** Routes that answer 401 to a request with no token at all: a bad token must never pass them. */
async function authenticatedRoutes(world: HostileWorld): Promise<Set<string>> {
  const id = String(world.ids.roomId);
  const probes = world.routes.filter((r) => r.method !== '*');
  const answers = await mapConcurrent(probes, 4, async (r: RouteEntry) => {
    const target = r.path.replace(/:(\w+)/g, (_m, name: string) => (name === 'action' ? 'pause' : id));
    const res = await sendRaw(world.urls[r.service] ?? '', { method: r.method, target, headers: [] });
    return { name: routeName(r), status: 'error' in res ? 0 : res.status };
  });
  return new Set(answers.filter((a) => a.status === 401).map((a) => a.name));
}

/** In place, repeatably for one seed, so batches mix routes and services. */
function shuffle<T>(items: T[], seed: number): void {
  let s = seed || 1;
  for (let i = items.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
