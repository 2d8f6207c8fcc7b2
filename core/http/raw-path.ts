import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { authenticate } from '../auth/require-auth.js';
import type { UserStanding } from '../auth/user-standing.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { toErrorResponse } from './error-handler.js';
import { assertWellFormedPath } from './request-guards.js';
import { recordRequest, requestId } from './request-logger.js';

/**
 * Helpers of the raw paths that answer a hot route from node's HTTP server before express (ADR 011, 028):
 * they run the same connect-style middlewares express runs, and answer JSON the way express would.
 */

/** A connect-style middleware: what helmet, cors and express.json are, so they run without express. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Runs one middleware; its failure (an Error, body-parser's with a `type`) rejects. None is falsy. */
const through = (mw: Middleware, req: IncomingMessage, res: ServerResponse) =>
  new Promise<void>((resolve, reject) =>
    mw(req, res, (err) =>
      err ? reject(err instanceof Error ? err : new Error('middleware failed')) : resolve(),
    ),
  );

/** A JSON answer with express's content type (without the ETag express adds, meaningless on a POST). */
function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

/** What a raw route answers for a request that passed the front: a status, a JSON body and headers. */
export interface RawAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RawFront {
  cfg: Pick<Config, 'auth' | 'http'>;
  logger: Logger;
  /** helmet, with the app's options (made once). */
  securityHeaders: Middleware;
  /** `jsonBody(cfg)` (made once). */
  parseBody: Middleware;
  /** Middlewares express runs after the body and before authentication (the api's CORS on `/api`). */
  beforeAuth?: Middleware[];
  /** Refuses tokens of missing or deactivated accounts, as requireAuth does for express. */
  standing?: UserStanding;
}

/**
 * A matched POST answered the way express's front would: security headers, request id, the path check,
 * the body (413, malformed JSON), `beforeAuth`, authentication and the account check, then `handle` for the
 * signed-in user (with the request's id); its answer, or its error through the app's error mapping; then the access line and HTTP
 * metrics under `route` (express's route pattern). Everything here is the piece express runs itself.
 */
export function answerRawPost(
  front: RawFront,
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
  handle: (userId: number, body: unknown, reqId: string) => Promise<RawAnswer>,
): void {
  const id = requestId(req);
  const startedMs = performance.now();
  let userId: number | undefined;
  void (async () => {
    try {
      await through(front.securityHeaders, req, res);
      res.setHeader('X-Request-Id', id);
      assertWellFormedPath(req.url);
      await through(front.parseBody, req, res);
      for (const mw of front.beforeAuth ?? []) await through(mw, req, res);
      const user = authenticate(front.cfg, req.headers.authorization);
      await front.standing?.assertActive(user.id);
      userId = user.id;
      const answer = await handle(user.id, (req as IncomingMessage & { body?: unknown }).body, id);
      sendJson(res, answer.status, answer.body, answer.headers);
    } catch (err) {
      const { status, body, headers } = toErrorResponse(err, front.logger.child({ reqId: id }));
      if (!res.headersSent) sendJson(res, status, body, headers);
      else res.end();
    }
    const quiet = !front.cfg.http.accessLog;
    recordRequest(front.logger, 'POST', route, res.statusCode, startedMs, id, userId, quiet);
  })();
}
