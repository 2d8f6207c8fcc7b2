import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

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
 * Request ids and structured access logs. Lighter than pino-http, which serialises every request into
 * a child logger up front: during a rush the hot paths log nothing at info, so the child logger is only
 * made when something asks for `req.log`, and the access line (debug, or error for 5xx) only when that
 * level is on.
 */
export function requestLogger(logger: Logger, ignore: (url: string) => boolean): RequestHandler {
  return (req, res, next) => {
    const id = requestId(req);
    req.id = id;
    res.setHeader('X-Request-Id', id);
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get: () => (child ??= logger.child({ reqId: id })),
    });
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : 'debug';
      if (!logger.isLevelEnabled(level) || ignore(req.originalUrl)) return;
      req.log[level](
        {
          req: { method: req.method, url: req.originalUrl, remoteAddress: req.ip },
          res: { statusCode: res.statusCode },
          responseTimeMs: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request completed',
      );
    });
    next();
  };
}
