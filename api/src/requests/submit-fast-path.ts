import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IntakeLoad } from '../../../core/admission/intake-load.js';
import type { UserStanding } from '../../../core/auth/user-standing.js';
import type { Config } from '../../../core/config.js';
import { jsonBody } from '../../../core/http/create-http-app.js';
import type { RateLimits } from '../../../core/http/rate-limit.js';
import { answerRawPost, type Middleware, type RawFront } from '../../../core/http/raw-path.js';
import type { Logger } from '../../../core/logger.js';
import type { QueuedRequest } from './queued-request-handler.js';

/** `POST /api/enrollments` and `/api/reservations` as express matches them (trailing slash, query allowed). */
const SUBMIT_PATH = /^\/api\/(enrollments|reservations)\/?(?:\?.*)?$/;

type SubmitRoute = 'enrollments' | 'reservations';

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/**
 * The api's submissions answered before express's router (ADR 028): in a rush they are nearly all the
 * api does, and express's walk over every mount in front of them, its request and response set-up and
 * `res.json` cost it about a sixth of its CPU per submission (ADR 028 has the profile and the bench). It is the express route without
 * express: the same helmet, request-id rule, path check, JSON body parser, CORS middleware,
 * authentication and account check, intake count, per-user budget, the same submission function, error
 * mapping, access line and HTTP metrics (route labels `/api/enrollments` and `/api/reservations`), each
 * the very piece express runs. Skips only express's ETag (meaningless on a POST). Returns false for
 * anything else, which express answers (its own routes answer what this one doesn't match).
 */
export function createSubmitFastPath(deps: {
  cfg: Pick<Config, 'auth' | 'http'>;
  logger: Logger;
  /** The helmet middleware express runs (the same instance). */
  securityHeaders: Middleware;
  /** The CORS middleware express runs on `/api` (the same instance). */
  cors: Middleware;
  /** Refuses tokens of missing or deactivated accounts, as requireAuth does for express. */
  standing?: UserStanding;
  /** Counts the submission while it is held (ADR 012), as trackIntake does for express. */
  intake?: IntakeLoad;
  /** The caller's submit budget (ADR 014), taken once they are known; throws 429 past it. */
  limits: RateLimits;
  submit: Record<SubmitRoute, QueuedRequest>;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const front: RawFront = {
    cfg: deps.cfg,
    logger: deps.logger,
    securityHeaders: deps.securityHeaders,
    parseBody: jsonBody(deps.cfg),
    beforeAuth: [deps.cors],
    standing: deps.standing,
  };

  return (req, res) => {
    if (req.method !== 'POST') return false;
    const match = SUBMIT_PATH.exec(req.url ?? '');
    if (!match) return false;
    const which = match[1] as SubmitRoute;
    // express's order after the front: intake, budget, the route.
    answerRawPost(front, req, res, `/api/${which}`, async (userId, body, reqId) => {
      // 'close' comes once the answer is out and also when the client goes first.
      if (deps.intake) res.once('close', deps.intake.enter());
      await deps.limits.take('submit', userId);
      const { location, body: answer } = await deps.submit[which]({
        userId,
        body,
        idempotencyKey: header(req, 'idempotency-key'),
        admissionToken: header(req, 'x-admission-token'),
        reqId,
      });
      return { status: 202, body: answer, headers: { Location: location } };
    });
    return true;
  };
}
