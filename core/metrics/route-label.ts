import type { Request } from 'express';
import { UNMATCHED_ROUTE } from './http-metrics.js';

/** Per express route object, per mount point: the full pattern, built once. */
const patterns = new WeakMap<object, Map<string, string>>();

/**
 * The express route pattern that answered (`/api/enrollments/:id`): the mount path the route was reached
 * under (the routers here are mounted on fixed paths) and the route's own path. Never the raw URL, so the
 * label stays bounded; a request no route matched (404s, static files) is "unmatched".
 *
 * `base` is `req.baseUrl` as it was when the route took the request (see `rememberRouteBase`): by the time
 * the response finishes, an error thrown in the route has left the router, which resets `req.baseUrl`.
 */
export function routeLabel(req: Request, base: string): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (!route) return UNMATCHED_ROUTE;
  let byBase = patterns.get(route);
  if (!byBase) patterns.set(route, (byBase = new Map<string, string>()));
  let pattern = byBase.get(base);
  if (pattern === undefined) {
    const path = String(route.path);
    // A router's root route (`router.post('/')` mounted on `/api/enrollments`) is the mount path itself.
    pattern = path === '/' && base !== '' ? base : base + path;
    byBase.set(base, pattern);
  }
  return pattern;
}

/**
 * Makes `req.route` an accessor that notes `req.baseUrl` when express assigns the route (its dispatch sets
 * `req.route` as the route takes the request), and returns how to read that mount path afterwards.
 */
export function rememberRouteBase(req: Request): () => string {
  let route: unknown;
  let base = '';
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      base = req.baseUrl;
    },
  });
  return () => base;
}
