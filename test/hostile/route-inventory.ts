import type { Express } from 'express';

/**
 * Every route an express app answers, read from its router stack (express 5 / router 2 keeps each
 * layer's `rawPath`), so a route added tomorrow is in the hostile suite without anyone listing it.
 */
export interface RouteEntry {
  /** Which process serves it: 'api', 'waiting-room', 'worker'. */
  service: string;
  /** Upper-case method, or '*' for a mounted app or static folder (bull-board, assets). */
  method: string;
  /** The express pattern, e.g. `/api/staff/events/:id/seats/:seatId`. */
  path: string;
  /** Its `:name` parameters in order. */
  params: string[];
}

interface Layer {
  rawPath?: unknown;
  name: string;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

export function listRoutes(service: string, app: Express): RouteEntry[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const out: RouteEntry[] = [];
  walk(stack, '', service, out);
  return out;
}

function walk(stack: Layer[], base: string, service: string, out: RouteEntry[]): void {
  for (const layer of stack) {
    const own = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    if (layer.route) {
      const path = joinPath(base, String(layer.route.path));
      for (const method of Object.keys(layer.route.methods)) {
        if (method === '_all') continue;
        out.push({ service, method: method.toUpperCase(), path, params: paramsOf(path) });
      }
    } else if (layer.handle.stack) {
      walk(layer.handle.stack, joinPath(base, own), service, out);
    } else if (own !== '') {
      // A mounted app or middleware with a path of its own (express.static, bull-board's router).
      const path = joinPath(base, own);
      out.push({ service, method: '*', path, params: paramsOf(path) });
    }
  }
}

const joinPath = (base: string, p: string): string => {
  const joined = `${base}${p === '/' && base !== '' ? '' : p}`.replace(/\/+$/, '');
  return joined === '' ? '/' : joined;
};

const paramsOf = (path: string): string[] => [...path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');

export const routeName = (r: RouteEntry): string => `${r.service} ${r.method} ${r.path}`;
