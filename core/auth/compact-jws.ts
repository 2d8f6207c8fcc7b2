import { createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/**
 * Compact JWS (RFC 7515) tokens with registered claims (RFC 7519), signed and verified with node:crypto
 * directly. The access token is checked on every request and the admission token on every submission of
 * a rush; jsonwebtoken spent about a third of each check around the signature itself (docs/adr/018).
 * One algorithm is pinned per key, `crit` is refused, `exp` is required, `iss` and `aud` must match.
 */
export type JwsAlgorithm = 'ES256' | 'HS256';

export interface JwsKey {
  alg: JwsAlgorithm;
  /** An EC P-256 key (private to sign, public to verify) for ES256; a secret key for HS256. */
  key: KeyObject;
}

export interface RegisteredClaims {
  iss: string;
  aud: string;
  sub: string;
  /** Lifetime in seconds from now: at least this long (`exp` is whole seconds, rounded up). */
  ttlS: number;
  jti?: string;
}

/** Why a token was refused: an expired one is worth telling apart (the client can refresh or rejoin). */
export class JwsRefused extends Error {
  constructor(
    readonly reason: 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not-yet-valid' | 'claims',
  ) {
    super(`token refused: ${reason}`);
  }
}

const PART = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES: Record<JwsAlgorithm, number> = { ES256: 64, HS256: 32 };

const b64url = (s: string) => Buffer.from(s).toString('base64url');

/**
 * A token's `exp` (whole seconds) for a lifetime from nowMs: rounded up, so the token is good for at least
 * ttlS. Rounding `iat` down and adding ttlS cut up to a second off every lifetime: a room's 1 s admission
 * could lapse within a millisecond of being granted, before the room itself counted it lapsed.
 */
export const expiresAtS = (nowMs: number, ttlS: number): number => Math.ceil(nowMs / 1000) + ttlS;

function signature(alg: JwsAlgorithm, key: KeyObject, input: string): Buffer {
  if (alg === 'HS256') return createHmac('sha256', key).update(input).digest();
  return sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
}

export function signJws(
  k: JwsKey,
  claims: RegisteredClaims,
  extra: Record<string, unknown>,
  header: { kid?: string } = {},
  nowMs = Date.now(),
): string {
  const iat = Math.floor(nowMs / 1000);
  const { ttlS, ...registered } = claims;
  const head = b64url(JSON.stringify({ alg: k.alg, typ: 'JWT', ...header }));
  const body = b64url(JSON.stringify({ ...extra, ...registered, iat, exp: expiresAtS(nowMs, ttlS) }));
  const input = `${head}.${body}`;
  return `${input}.${signature(k.alg, k.key, input).toString('base64url')}`;
}

function decodePart(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwsRefused('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwsRefused('malformed');
  return value as Record<string, unknown>;
}

/**
 * The token's header and payload once its signature, lifetime, issuer and audience hold; throws
 * JwsRefused otherwise. Nothing of the payload is trusted before the signature is checked.
 *
 * `signature: false` checks everything but the signature: only for a caller that then proves the token
 * genuine another way, by finding this exact token where its issuer recorded it (ADR 018).
 */
export function verifyJws(
  k: JwsKey,
  token: string,
  expected: { iss: string; aud: string },
  nowMs = Date.now(),
  opts: { signature: boolean } = { signature: true },
): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => PART.test(p))) throw new JwsRefused('malformed');
  const [head, body, sig] = parts as [string, string, string];
  const header = decodePart(head);
  if (header.alg !== k.alg) throw new JwsRefused('algorithm');
  if ('crit' in header) throw new JwsRefused('algorithm');
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== SIGNATURE_BYTES[k.alg]) throw new JwsRefused('signature');
  const input = `${head}.${body}`;
  const ok =
    !opts.signature ||
    (k.alg === 'HS256'
      ? timingSafeEqual(signature('HS256', k.key, input), given)
      : verify('sha256', Buffer.from(input), { key: k.key, dsaEncoding: 'ieee-p1363' }, given));
  if (!ok) throw new JwsRefused('signature');
  const payload = decodePart(body);
  const nowS = nowMs / 1000;
  if (typeof payload.exp !== 'number') throw new JwsRefused('claims');
  if (nowS >= payload.exp) throw new JwsRefused('expired');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || nowS < payload.nbf))
    throw new JwsRefused('not-yet-valid');
  if (payload.iss !== expected.iss) throw new JwsRefused('claims');
  const aud = payload.aud;
  if (!(aud === expected.aud || (Array.isArray(aud) && aud.includes(expected.aud))))
    throw new JwsRefused('claims');
  return { header, payload };
}
