import { JwsRefused, signJws, verifyJws } from '../../../core/auth/compact-jws.js';
import { z } from 'zod';
import type { AuthUser } from '../../../core/auth/access-token.js';
import type { Config } from '../../../core/config.js';
import { UnauthorizedError } from '../../../core/errors.js';

type AuthConfig = Config['auth'];

/**
 * The admin pages (bull-board) are opened by browser navigation, which cannot carry the web app's bearer
 * token; a short-lived cookie does instead (docs/adr/020-dashboards-and-queue-board.md). Its `typ` differs from the
 * access token's, so neither verifier accepts the other's token.
 */
const claimsSchema = z.object({
  sub: z.string().regex(/^\d+$/),
  usr: z.string().min(1),
  role: z.enum(['student', 'staff']),
  typ: z.literal('admin'),
});

export function signAdminSessionToken(cfg: AuthConfig, user: AuthUser, ttlS: number): string {
  return signJws(
    { alg: 'HS256', key: cfg.jwtKey },
    { iss: cfg.issuer, aud: cfg.audience, sub: String(user.id), ttlS },
    { usr: user.username, role: user.role, typ: 'admin' },
  );
}

export function verifyAdminSessionToken(cfg: AuthConfig, token: string): AuthUser {
  let payload: unknown;
  try {
    payload = verifyJws({ alg: 'HS256', key: cfg.jwtKey }, token, {
      iss: cfg.issuer,
      aud: cfg.audience,
    }).payload;
  } catch (err) {
    if (err instanceof JwsRefused && err.reason === 'expired') {
      throw new UnauthorizedError('ADMIN_SESSION_EXPIRED', 'The admin session has expired; open it again');
    }
    throw new UnauthorizedError('ADMIN_SESSION_INVALID', 'The admin session is not valid');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new UnauthorizedError('ADMIN_SESSION_INVALID', 'The admin session is not valid');
  return { id: Number(claims.data.sub), username: claims.data.usr, role: claims.data.role };
}
