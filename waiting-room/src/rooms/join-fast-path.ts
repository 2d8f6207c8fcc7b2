import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { UserStanding } from '../../../core/auth/user-standing.js';
import type { Config } from '../../../core/config.js';
import { jsonBody } from '../../../core/http/create-http-app.js';
import { answerRawPost, type RawFront } from '../../../core/http/raw-path.js';
import type { Logger } from '../../../core/logger.js';
import { joinRoom } from './room-routes.js';
import type { RoomService } from './room-service.js';

/** `/rooms/:roomId/join` as express matches it (a trailing slash and a query allowed). */
const JOIN_PATH = /^\/rooms\/([^/?#]+)\/join\/?(?:\?.*)?$/;
/** Its express route pattern: the same label in the HTTP metrics and access lines as through express. */
const JOIN_ROUTE = '/rooms/:roomId/join';

/** Like express's router: a path parameter is percent-decoded (assertWellFormedPath ran first). */
const pathParam = (raw: string): string => decodeURIComponent(raw);

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
  const front: RawFront = {
    cfg: deps.cfg,
    logger: deps.logger,
    securityHeaders: helmet(deps.helmet),
    parseBody: jsonBody(deps.cfg),
    standing: deps.standing,
  };

  return (req, res) => {
    if (req.method !== 'POST') return false;
    const match = JOIN_PATH.exec(req.url ?? '');
    if (!match) return false;
    answerRawPost(front, req, res, JOIN_ROUTE, async (userId, body) => {
      await deps.limit?.(userId);
      const { status, view } = await joinRoom(
        deps.rooms,
        userId,
        { roomId: pathParam(match[1] ?? '') },
        body,
      );
      return { status, body: view };
    });
    return true;
  };
}
