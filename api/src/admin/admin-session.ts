import { Router, type RequestHandler } from 'express';
import { requireRole, currentUser } from '../../../core/auth/require-auth.js';
import type { Config } from '../../../core/config.js';
import { ForbiddenError, UnauthorizedError } from '../../../core/errors.js';
import { signAdminSessionToken, verifyAdminSessionToken } from './admin-session-token.js';

export const ADMIN_COOKIE = 'rushline_admin';
/** Only the admin pages ever see the cookie: the api under /api keeps using bearer tokens alone. */
export const ADMIN_COOKIE_PATH = '/admin';
/** Short: staff open the board for a look; a stolen cookie is worth little for long. */
export const ADMIN_SESSION_TTL_S = 15 * 60;

/**
 * POST /admin/session with a staff bearer token sets the cookie; DELETE clears it. A bearer header cannot
 * be sent by another site's form, so the cookie cannot be planted cross-site (CSRF); SameSite=Strict keeps
 * other sites' pages from using it once set.
 */
/** @param authenticated the api's bearer check (with its account check: a deactivated staff member opens nothing) */
export function adminSessionRoutes(cfg: Pick<Config, 'auth'>, authenticated: RequestHandler): Router {
  const router = Router();
  router.post('/', authenticated, requireRole('staff'), (req, res) => {
    const token = signAdminSessionToken(cfg.auth, currentUser(req), ADMIN_SESSION_TTL_S);
    res.cookie(ADMIN_COOKIE, token, {
      path: ADMIN_COOKIE_PATH,
      httpOnly: true,
      sameSite: 'strict',
      // Behind the gateway on https (X-Forwarded-Proto, trusted proxy) the cookie never travels in clear.
      secure: req.secure,
      maxAge: ADMIN_SESSION_TTL_S * 1000,
    });
    res.status(204).end();
  });
  router.delete('/', (_req, res) => {
    res.clearCookie(ADMIN_COOKIE, { path: ADMIN_COOKIE_PATH, httpOnly: true, sameSite: 'strict' });
    res.status(204).end();
  });
  return router;
}

/** The value of one cookie in a Cookie header (no cookie-parser for one cookie). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Staff with an admin session cookie pass; anyone else gets 401 (no session) or 403 (not staff) JSON. */
export function requireStaffSession(cfg: Pick<Config, 'auth'>): RequestHandler {
  return (req, _res, next) => {
    const token = readCookie(req.get('cookie'), ADMIN_COOKIE);
    if (!token) {
      throw new UnauthorizedError(
        'ADMIN_SESSION_REQUIRED',
        'Open the admin pages from the staff console (POST /admin/session with a staff token sets the session)',
      );
    }
    const user = verifyAdminSessionToken(cfg.auth, token);
    if (user.role !== 'staff') throw new ForbiddenError('FORBIDDEN', 'This needs the staff role');
    req.user = user;
    next();
  };
}
