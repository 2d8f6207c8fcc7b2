import { JwsRefused, signJws, verifyJws, type JwsKey } from './compact-jws.js';
import { z } from 'zod';
import type { Config } from '../config.js';
import { UnauthorizedError } from '../errors.js';

export type Role = 'student' | 'staff';

export interface AuthUser {
  id: number;
  username: string;
  role: Role;
}

type AuthConfig = Config['auth'];

const claimsSchema = z.object({
  sub: z.string().regex(/^\d+$/),
  usr: z.string().min(1),
  role: z.enum(['student', 'staff']),
  typ: z.literal('access'),
});

/** Short-lived access token shared by the api, the waiting room and the socket.io handshake. */
export function signAccessToken(cfg: AuthConfig, user: AuthUser): { token: string; expiresInS: number } {
  const token = signJws(
    keyOf(cfg),
    { iss: cfg.issuer, aud: cfg.audience, sub: String(user.id), ttlS: cfg.accessTokenTtlS },
    { usr: user.username, role: user.role, typ: 'access' },
  );
  return { token, expiresInS: cfg.accessTokenTtlS };
}

const keyOf = (cfg: AuthConfig): JwsKey => ({ alg: 'HS256', key: cfg.jwtKey });

/** Verifies with the algorithm, issuer and audience pinned; throws a 401 saying why. */
export function verifyAccessToken(cfg: AuthConfig, token: string): AuthUser {
  let payload: unknown;
  try {
    payload = verifyJws(keyOf(cfg), token, { iss: cfg.issuer, aud: cfg.audience }).payload;
  } catch (err) {
    if (err instanceof JwsRefused && err.reason === 'expired') {
      throw new UnauthorizedError('TOKEN_EXPIRED', 'The access token has expired; refresh it');
    }
    throw new UnauthorizedError('TOKEN_INVALID', 'The access token is not valid');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new UnauthorizedError('TOKEN_INVALID', 'The access token is not valid');
  return { id: Number(claims.data.sub), username: claims.data.usr, role: claims.data.role };
}

/** The token from an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  return match?.[1];
}
