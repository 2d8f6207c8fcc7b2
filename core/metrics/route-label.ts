import type { Request } from 'express';
import { UNMATCHED_ROUTE } from './http-metrics.js';

/** Per express route object, per mount point: the full pattern, built once. */
const patterns = new WeakMap<object, Map<string, string>>();

/**
 * The express route pattern that answered (`/api/enrollments/:id`), read after the response: the mount
 * path (`req.baseUrl`, the routers here are mounted on fixed paths) and the route's own path. Never the
 * raw URL, so the label stays bounded; a request no route matched (404s, static files) is "unmatched".
 */
export function routeLabel(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (!route) return UNMATCHED_ROUTE;
  let byBase = patterns.get(route);
  if (!byBase) patterns.set(route, (byBase = new Map<string, string>()));
  const base = req.baseUrl;
  let pattern = byBase.get(base);
  if (pattern === undefined) {
    const path = String(route.path);
    // A router's root route (`router.post('/')` mounted on `/api/enrollments`) is the mount path itself.
    pattern = path === '/' && base !== '' ? base : base + path;
    byBase.set(base, pattern);
  }
  return pattern;
}
