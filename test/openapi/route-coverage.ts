import type { RouteDoc } from '../../core/openapi/route-doc.js';
import type { RouteEntry } from '../hostile/route-inventory.js';

/**
 * Apps mounted whole under one documented page: their inner routes are theirs (bull-board's api for its
 * own page), described by the page's row.
 */
const MOUNTED_APPS = ['/admin/queues'];

/** `/rooms/:roomId/` and `/rooms/:roomId` are told apart by express only with strict routing. */
const bare = (path: string) => {
  const single = path.replace(/\/{2,}/g, '/');
  return single.length > 1 ? single.replace(/\/+$/, '') : single;
};
const key = (method: string, path: string) => `${method} ${bare(path)}`;

/**
 * Compares an app's router stack with its route table: every route the app answers must have a row,
 * and every row a route (a row for a route since removed would document what is not there). Each
 * problem names the route, so a failing test says what to add or remove.
 */
export function coverageProblems(routes: readonly RouteEntry[], docs: readonly RouteDoc[]): string[] {
  const documented = new Set(docs.map((d) => key(d.method, d.path)));
  const served = new Set<string>();
  const problems: string[] = [];
  for (const entry of routes) {
    const r = { ...entry, path: bare(entry.path) };
    const mountedUnder = MOUNTED_APPS.find((m) => r.path === m || r.path.startsWith(`${m}/`));
    if (mountedUnder) {
      served.add(key('GET', mountedUnder));
      continue;
    }
    if (r.method === '*') {
      // Middleware in front of routes (cors, sign-in, a role check) has routes beneath it; a static
      // folder has none, and is documented as GET <folder>/:file.
      const beneath = (o: RouteEntry) => bare(o.path) === r.path || bare(o.path).startsWith(`${r.path}/`);
      if (routes.some((o) => o.method !== '*' && beneath(o))) continue;
      const row = docs.find((d) => d.method === 'GET' && d.path.startsWith(`${r.path}/:`));
      if (row) served.add(key('GET', row.path));
      else problems.push(`${r.service}: ${r.path} (a mounted folder or app) has no GET ${r.path}/:file row`);
      continue;
    }
    served.add(key(r.method, r.path));
    if (!documented.has(key(r.method, r.path))) {
      problems.push(`${r.service}: ${r.method} ${r.path} is served but not in the OpenAPI document`);
    }
  }
  for (const d of docs) {
    if (!served.has(key(d.method, d.path))) {
      problems.push(`${d.method} ${d.path} is documented but no route serves it`);
    }
  }
  return problems;
}
