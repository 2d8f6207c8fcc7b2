import type { Request, RequestHandler } from 'express';
import type { Config } from '../config.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { bearerToken, verifyAccessToken, type AuthUser, type Role } from './access-token.js';

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

export function requireAuth(cfg: Pick<Config, 'auth'>): RequestHandler {
  return (req, _res, next) => {
    req.user = authenticate(cfg, req.get('authorization'));
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
