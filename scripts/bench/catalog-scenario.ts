import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { sectionQuery } from '../../api/src/catalog/catalog-params.js';
import { meetingsQuery, sectionPage } from '../../api/src/catalog/catalog-read-model.js';
import { startProcess } from '../lib/app-process.js';
import { seedCatalog } from '../seed/catalog.js';
import { createRandom } from '../seed/random.js';
import { DEFAULT_SEED } from '../seed/seed-demo.js';
import { seedRegistrationWindows, seedTerm } from '../seed/registration.js';
import type { BaselineSearch } from './baseline-catalog-server.js';
import { createBenchEnv, progress, round } from './bench-env.js';
import { catalogSearches, type SearchParams } from './catalog-searches.js';
import { median } from './stats.js';

export interface CatalogOptions {
  connections: number;
  durationS: number;
  /** Baseline then api, this many times: MariaDB's drift over a run and the order don't pick the winner. */
  rounds: number;
}

interface Load {
  perS: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

const SEARCHES = 400;
const WARMUP_S = 2;

/** autocannon over `paths` in turn, every connection taking the next one. */
async function drive(url: string, paths: string[], o: CatalogOptions, label: string): Promise<Load> {
  let next = 0;
  const run = (durationS: number) =>
    autocannon({
      url,
      connections: o.connections,
      duration: durationS,
      requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
    });
  // Unmeasured: lets V8 compile the hot paths and both pools fill before the clock starts.
  await run(WARMUP_S);
  const bar = progress(label, o.durationS);
  const started = Date.now();
  const timer = setInterval(() => bar.tick((Date.now() - started) / 1000), 250);
  const result = await run(o.durationS);
  clearInterval(timer);
  bar.end();
  return {
    perS: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

/** The round with the median throughput (its latencies with it), so one disturbed round doesn't decide. */
function medianLoad(loads: Load[]): Load {
  const sorted = [...loads].sort((a, b) => a.perS - b.perS);
  const mid = sorted[Math.floor(sorted.length / 2)];
  if (!mid) throw new Error('no rounds were run');
  return mid;
}

/** The SQL each search sends through knex, captured from knex's own 'query' events. */
async function capture(
  db: Knex,
  termId: number,
  params: SearchParams,
): Promise<{ queries: { sql: string; bindings: unknown[] }[]; rows: number }> {
  const queries: { sql: string; bindings: unknown[] }[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) =>
    queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listener);
  try {
    const page = await sectionPage(db, termId, sectionQuery.parse(params));
    return { queries, rows: page?.sections.length ?? 0 };
  } finally {
    db.off('query', listener);
  }
}

/**
 * `catalog`: autocannon on GET /api/terms/:termId/sections over the demo catalogue with a mix of real
 * searches (title words, professors, codes, filters, later pages), against a bare express + mysql2 server
 * running the same two statements with the same parameters.
 */
export async function runCatalog(o: CatalogOptions): Promise<Record<string, unknown>> {
  const env = await createBenchEnv('catalog');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rushline-bench-catalog-'));
  try {
    const rnd = createRandom(DEFAULT_SEED);
    const term = await seedTerm(env.db, new Date());
    const catalog = await seedCatalog(env.db, rnd, term.id);
    await seedRegistrationWindows(env.db, term.id, new Date());
    // Fresh statistics: right after a bulk insert InnoDB's are stale until its background recount, and
    // the first seconds' plans would be slow for whichever side ran first.
    await env.db.raw('ANALYZE TABLE majors, professors, courses, sections, section_meetings');
    const searches = await catalogSearches(env.db, term.id, createRandom(DEFAULT_SEED + 1), SEARCHES);

    const baselineSearches: BaselineSearch[] = [];
    const perSearch: number[] = [];
    let rows = 0;
    for (const params of searches) {
      const seen = await capture(env.db, term.id, params);
      perSearch.push(seen.queries.length);
      rows += seen.rows;
      const [page, meetings] = seen.queries;
      if (!page || !meetings || seen.queries.length !== 2) {
        throw new Error(
          `expected a page and its meetings, saw ${seen.queries.length} queries for ${JSON.stringify(params)}`,
        );
      }
      baselineSearches.push({
        sql: page.sql,
        bindings: page.bindings,
        limit: sectionQuery.parse(params).limit,
      });
    }
    // knex's own text for the meetings of N sections, so the baseline sends exactly what the api sends.
    const meetingsSql = meetingsQuery(env.db, [1]).toSQL().toNative().sql.replace('in (?)', 'in (__IDS__)');
    const file = path.join(dir, 'searches.json');
    writeFileSync(file, JSON.stringify({ meetingsSql, searches: baselineSearches }));

    // Both servers stay up, each idle while the other is driven.
    const baseline = await startProcess(
      'baseline',
      path.join(import.meta.dirname, 'baseline-catalog-server.ts'),
      {
        ...env.env,
        BENCH_CATALOG_SEARCHES: file,
      },
    );
    const api = await env.start('api');
    const bases: Load[] = [];
    const apis: Load[] = [];
    try {
      for (let r = 1; r <= o.rounds; r++) {
        bases.push(
          await drive(
            baseline.url,
            searches.map((_, i) => `/search/${i}`),
            o,
            `catalog ${r}/${o.rounds}, baseline`,
          ),
        );
        apis.push(
          await drive(
            api.url,
            searches.map((p) => `/api/terms/${term.id}/sections?${new URLSearchParams(p).toString()}`),
            o,
            `catalog ${r}/${o.rounds}, api`,
          ),
        );
      }
    } finally {
      await baseline.stop();
    }
    const base = medianLoad(bases);
    const apiLoad = medianLoad(apis);
    const ratios = apis.map((a, i) => a.perS / (bases[i] as Load).perS);
    return {
      scenario: 'catalog',
      connections: o.connections,
      duration_s: o.durationS,
      topology: {
        processes: { api: 1, 'baseline-catalog': 1 },
        clients_per_process: { 'autocannon connections (in the bench process)': [o.connections] },
      },
      catalog: catalog.counts,
      searches: searches.length,
      later_pages: searches.filter((s) => s.cursor).length,
      mean_sections_per_page: round(rows / searches.length, 1),
      queries_per_search: { min: Math.min(...perSearch), max: Math.max(...perSearch) },
      api_per_s: round(apiLoad.perS),
      api_p50_ms: apiLoad.p50,
      api_p99_ms: apiLoad.p99,
      baseline_per_s: round(base.perS),
      baseline_p50_ms: base.p50,
      baseline_p99_ms: base.p99,
      // Each api round against the baseline round just before it, then the median of those.
      ratio: round(median(ratios), 2),
      rounds: o.rounds,
      ratio_by_round: ratios.map((r) => round(r, 2)),
      api_per_s_by_round: apis.map((a) => round(a.perS)),
      baseline_per_s_by_round: bases.map((b) => round(b.perS)),
      non_2xx: [...apis, ...bases].reduce((n, l) => n + l.non2xx, 0),
      errors: [...apis, ...bases].reduce((n, l) => n + l.errors, 0),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await env.teardown();
  }
}
