import type { Request, RequestHandler } from 'express';
import type { Config } from '../config.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { bearerToken, verifyAccessToken, type AuthUser, type Role } from './access-token.js';
import type { UserStanding } from './user-standing.js';

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
  }
}

/** The user an `Authorization: Bearer` header names; also used by the waiting room's raw join path. */
export function authenticate(cfg: Pick<Config, 'auth'>, authorization: string | undefined): AuthUser {
  const token = bearerToken(authorization);
  if (!token)
    throw new UnauthorizedError('UNAUTHENTICATED', 'Sign in: send Authorization: Bearer <access token>');
  return verifyAccessToken(cfg.auth, token);
}

/**
 * Signs the request's user in from its access token. With `standing`, a token whose account doesn't
 * exist or is deactivated is refused here (401), before any route writes for it (user-standing.ts has
 * the cost and the staleness bound).
 */
export function requireAuth(cfg: Pick<Config, 'auth'>, standing?: UserStanding): RequestHandler {
  if (!standing) {
    return (req, _res, next) => {
      req.user = authenticate(cfg, req.get('authorization'));
      next();
    };
  }
  return async (req, _res, next) => {
    const user = authenticate(cfg, req.get('authorization'));
    await standing.assertActive(user.id);
    req.user = user;
    next();
  };
}

/** Must run after requireAuth. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const user = req.user;
    if (!user) throw new UnauthorizedError('UNAUTHENTICATED', 'Sign in first');
    if (!roles.includes(user.role)) {
      throw new ForbiddenError('FORBIDDEN', `This needs the ${roles.join(' or ')} role`);
    }
    next();
  };
}

/** The signed-in user of a route behind requireAuth. */
export function currentUser(req: Request): AuthUser {
  if (!req.user) throw new UnauthorizedError('UNAUTHENTICATED', 'Sign in first');
  return req.user;
}
