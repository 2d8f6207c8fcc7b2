import { randomUUID } from 'node:crypto';
import { expiresAtS, JwsRefused, signJws, verifyJws } from '../auth/compact-jws.js';
import { z } from 'zod';
import type { Config } from '../config.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';

/**
 * Admission tokens: ES256 JWTs the waiting room signs when it lets someone in, and the api verifies
 * on its own with the public key (no call to the waiting room). The `kid` header names the key so
 * keys can be rotated; audience and issuer are pinned so an access token can never pass as one.
 */
type AdmissionConfig = Config['admission'];

export const ADMISSION_AUDIENCE = 'rushline-admission';
export const ADMISSION_ISSUER = 'rushline-waiting-room';

export interface AdmissionClaims {
  userId: number;
  roomId: number;
  queueNumber: number;
  jti: string;
  expiresAt: Date;
}

const claimsSchema = z.object({
  sub: z.string().regex(/^\d+$/),
  room: z.number().int().positive(),
  qn: z.number().int().positive(),
  jti: z.string().min(1),
  exp: z.number().int(),
});

export function signAdmissionToken(
  cfg: AdmissionConfig,
  grant: { userId: number; roomId: number; queueNumber: number; ttlS?: number },
): { token: string; jti: string; expiresAt: Date } {
  if (!cfg.privateKey) throw new Error('ADMISSION_PRIVATE_KEY is needed to sign admission tokens');
  const jti = randomUUID();
  const ttlS = grant.ttlS ?? cfg.tokenTtlS;
  const nowMs = Date.now();
  const token = signJws(
    { alg: 'ES256', key: cfg.privateKey },
    { iss: ADMISSION_ISSUER, aud: ADMISSION_AUDIENCE, sub: String(grant.userId), ttlS, jti },
    { room: grant.roomId, qn: grant.queueNumber },
    { kid: cfg.keyId },
    nowMs,
  );
  // The token's own expiry, which the api enforces: what the person is told is when it stops working.
  return { token, jti, expiresAt: new Date(expiresAtS(nowMs, ttlS) * 1000) };
}

/** Checks signature, expiry, key id, audience and issuer. Who and where are checked by the caller's rules. */
export function decodeAdmissionToken(
  cfg: AdmissionConfig,
  token: string,
  opts: { signature: boolean } = { signature: true },
): AdmissionClaims {
  let payload: unknown;
  let header: Record<string, unknown>;
  try {
    ({ header, payload } = verifyJws(
      { alg: 'ES256', key: cfg.publicKey },
      token,
      { iss: ADMISSION_ISSUER, aud: ADMISSION_AUDIENCE },
      Date.now(),
      opts,
    ));
  } catch (err) {
    if (err instanceof JwsRefused && err.reason === 'expired') {
      throw new UnauthorizedError(
        'ADMISSION_EXPIRED',
        'Your admission has expired; join the waiting room again',
      );
    }
    throw new UnauthorizedError('ADMISSION_INVALID', 'The admission token is not valid');
  }
  if (header.kid !== cfg.keyId)
    throw new UnauthorizedError('ADMISSION_INVALID', 'The admission token is not valid');
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new UnauthorizedError('ADMISSION_INVALID', 'The admission token is not valid');
  return {
    userId: Number(claims.data.sub),
    roomId: claims.data.room,
    queueNumber: claims.data.qn,
    jti: claims.data.jti,
    expiresAt: new Date(claims.data.exp * 1000),
  };
}

/** Whether an operator revoked this token (kept in Redis, see admission-revocations.ts). */
export type IsRevoked = (roomId: number, jti: string) => Promise<boolean>;

/**
 * The api's check of `X-Admission-Token`: a valid token, for this user, for the room guarding this
 * sale, not revoked. Each refusal has its own code so the client can tell the person what to do.
 */
export async function verifyAdmission(
  cfg: AdmissionConfig,
  token: string | undefined,
  expected: { userId: number; roomId: number } | { userId: number; roomIds: readonly number[] },
  isRevoked: IsRevoked,
  /** `signature: false`: the caller proves the token genuine itself (see verifyJws). */
  opts: { signature: boolean } = { signature: true },
): Promise<AdmissionClaims> {
  if (!token) {
    throw new UnauthorizedError(
      'ADMISSION_REQUIRED',
      'Wait your turn in the waiting room: X-Admission-Token is missing',
    );
  }
  const claims = decodeAdmissionToken(cfg, token, opts);
  if (claims.userId !== expected.userId) {
    throw new ForbiddenError('ADMISSION_OTHER_USER', 'This admission token was issued to someone else');
  }
  const rooms = 'roomIds' in expected ? expected.roomIds : [expected.roomId];
  if (!rooms.includes(claims.roomId)) {
    throw new ForbiddenError('ADMISSION_OTHER_ROOM', 'This admission token is for another sale');
  }
  if (await isRevoked(claims.roomId, claims.jti)) {
    throw new ForbiddenError('ADMISSION_REVOKED', 'This admission was revoked by an operator');
  }
  return claims;
}
