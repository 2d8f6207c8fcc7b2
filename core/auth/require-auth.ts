import type { Request, RequestHandler } from 'express';
import type { Config } from '../config.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { bearerToken, verifyAccessToken, type AuthUser, type Role } from './access-token.js';

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
  }
}

export function requireAuth(cfg: Pick<Config, 'auth'>): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token)
      throw new UnauthorizedError('UNAUTHENTICATED', 'Sign in: send Authorization: Bearer <access token>');
    req.user = verifyAccessToken(cfg.auth, token);
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
