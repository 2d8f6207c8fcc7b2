import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import { authenticate } from '../../../core/auth/require-auth.js';
import type { UserStanding } from '../../../core/auth/user-standing.js';
import type { Config } from '../../../core/config.js';
import { jsonBody } from '../../../core/http/create-http-app.js';
import { toErrorResponse } from '../../../core/http/error-handler.js';
import { assertWellFormedPath } from '../../../core/http/request-guards.js';
import { performance } from 'node:perf_hooks';
import { recordRequest, requestId } from '../../../core/http/request-logger.js';
import type { Logger } from '../../../core/logger.js';
import { joinRoom } from './room-routes.js';
import type { RoomService } from './room-service.js';

/** `/rooms/:roomId/join` as express matches it (a trailing slash and a query allowed). */
const JOIN_PATH = /^\/rooms\/([^/?#]+)\/join\/?(?:\?.*)?$/;
/** Its express route pattern: the same label in the HTTP metrics and access lines as through express. */
const JOIN_ROUTE = '/rooms/:roomId/join';

/** A connect-style middleware: what helmet and express.json are, so they run here without express. */
type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

// A middleware passes its failure (an Error, body-parser's with a `type`) to `next`; none is falsy.
const through = (mw: Middleware, req: IncomingMessage, res: ServerResponse) =>
  new Promise<void>((resolve, reject) =>
    mw(req, res, (err) =>
      err ? reject(err instanceof Error ? err : new Error('middleware failed')) : resolve(),
    ),
  );

/** Like express's router: a path parameter is percent-decoded (assertWellFormedPath ran first). */
const pathParam = (raw: string): string => decodeURIComponent(raw);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const json = JSON.stringify(body);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

/**
 * `POST /rooms/:roomId/join` answered straight from node's HTTP server, before express: the hottest
 * endpoint of a rush, where express's router and middleware chain cost about twice the join itself
 * (ADR 011 has the measurements). It is the express route without express: the same helmet options, the
 * same request-id rule, JSON body parser, authentication, `joinRoom`, error mapping, access line and
 * HTTP metrics, each imported from where express gets it. It skips only the ETag express puts on JSON
 * bodies (meaningless on a POST). Returns false for any other request, which then goes to express
 * (whose own join route answers anything this one doesn't match, e.g. `/ROOMS/1/JOIN`).
 */
export function createJoinFastPath(deps: {
  cfg: Pick<Config, 'auth' | 'http'>;
  rooms: RoomService;
  logger: Logger;
  helmet: HelmetOptions;
  /** Refuses tokens of missing or deactivated accounts, as requireAuth does for express. */
  standing?: UserStanding;
  /** The caller's join budget (ADR 014), taken once they are known; throws 429 past it. */
  limit?: (userId: number) => Promise<void>;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const securityHeaders: Middleware = helmet(deps.helmet);
  const parseBody: Middleware = jsonBody(deps.cfg);

  return (req, res) => {
    if (req.method !== 'POST') return false;
    const match = JOIN_PATH.exec(req.url ?? '');
    if (!match) return false;
    const id = requestId(req);
    const startedMs = performance.now();
    let userId: number | undefined;
    void (async () => {
      try {
        // express's order: security headers, request id, path, body (413, malformed JSON), auth, the route.
        await through(securityHeaders, req, res);
        res.setHeader('X-Request-Id', id);
        assertWellFormedPath(req.url);
        await through(parseBody, req, res);
        const user = authenticate(deps.cfg, req.headers.authorization);
        await deps.standing?.assertActive(user.id);
        userId = user.id;
        await deps.limit?.(user.id);
        const body = (req as IncomingMessage & { body?: unknown }).body;
        const { status, view } = await joinRoom(
          deps.rooms,
          user.id,
          { roomId: pathParam(match[1] ?? '') },
          body,
        );
        sendJson(res, status, view);
      } catch (err) {
        const { status, body, headers } = toErrorResponse(err, deps.logger.child({ reqId: id }));
        if (!res.headersSent) sendJson(res, status, body, headers);
        else res.end();
      }
      // express's access line and HTTP metrics, with the same route label (ADR 016).
      const quiet = !deps.cfg.http.accessLog;
      recordRequest(deps.logger, 'POST', JOIN_ROUTE, res.statusCode, startedMs, id, userId, quiet);
    })();
    return true;
  };
}
