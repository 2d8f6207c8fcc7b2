import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { accessLineWriterOf } from '../access-log.js';
import type { Logger } from '../logger.js';
import { observeHttpRequest } from '../metrics/http-metrics.js';
import { rememberRouteBase, routeLabel } from '../metrics/route-label.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id: the caller's X-Request-Id when sane, else a new UUID. Echoed back. */
    id: string;
    /** A logger bound to the request id, made on first use (most requests never log). */
    log: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** This request's id: the caller's X-Request-Id when sane, else a new UUID (also the raw join path's). */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Counts an answered request in the HTTP metrics and writes its access line: `info`, or `error` for a 5xx,
 * with the route pattern (`/rooms/:roomId/join`, or "unmatched"), never the raw URL. Shared by express and
 * the waiting room's raw join path; positional arguments so the hot paths build no object for it.
 * `quiet`: metrics only (probes, scrapes).
 */
export function recordRequest(
  logger: Logger,
  method: string,
  route: string,
  status: number,
  startedMs: number,
  reqId: string,
  userId: number | undefined,
  quiet = false,
): void {
  const ms = performance.now() - startedMs;
  observeHttpRequest(method, route, status, ms / 1000);
  if (quiet) return;
  const level = status >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  accessLineWriterOf(logger)(level, reqId, method, route, status, Math.round(ms * 10) / 10, userId);
}

/**
 * Request ids, access lines and HTTP metrics. Lighter than pino-http, which serialises every request
 * into a child logger up front: the child logger is only made when something asks for `req.log`, and the
 * access line is one flat object written once the response is finished (when express has set `req.route`).
 */
export function requestLogger(logger: Logger, quiet: (url: string) => boolean): RequestHandler {
  return (req, res, next) => {
    const id = requestId(req);
    req.id = id;
    res.setHeader('X-Request-Id', id);
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get: () => (child ??= logger.child({ reqId: id })),
    });
    const routeBase = rememberRouteBase(req);
    const startedMs = performance.now();
    res.once('finish', () => {
      const url = req.originalUrl;
      recordRequest(
        logger,
        req.method,
        routeLabel(req, routeBase()),
        res.statusCode,
        startedMs,
        id,
        req.user?.id,
        quiet(url),
      );
    });
    next();
  };
}
