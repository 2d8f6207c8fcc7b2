import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { ulid } from 'ulid';
import { signAccessToken, type AuthUser } from '../../../core/auth/access-token.js';
import { hashPassword, verifyPassword } from '../../../core/auth/password.js';
import type { Config } from '../../../core/config.js';
import { UnauthorizedError } from '../../../core/errors.js';
import { findSignInUser, findUserByUsername } from '../users/user-store.js';
import { accountKey, type LoginLimiter } from './login-limiter.js';
import {
  findRefreshFamily,
  insertRefreshToken,
  lockRefreshToken,
  markRefreshTokenUsed,
  revokeRefreshFamily,
} from './refresh-token-store.js';

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: AuthUser;
}

export interface AuthServiceDeps {
  db: Knex;
  cfg: Pick<Config, 'auth'>;
  limiter: LoginLimiter;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

// Unknown usernames still pay for one scrypt, so response time doesn't reveal which accounts exist.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));

export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  async login(username: string, password: string, ip: string): Promise<TokenPair> {
    const { db, limiter } = this.deps;
    await limiter.takeAddress(ip);
    const user = await findUserByUsername(db, username);
    // Taken before scrypt and given back on success (ADR 014): parallel guesses can't outrun the count.
    const account = accountKey(user?.id, username);
    await limiter.takeAccount(account, ip);
    const ok = await verifyPassword(password, user?.password_hash ?? (await getDummyHash()));
    // A deactivated account gets the wrong-password answer, so the refusal reveals nothing about it.
    if (!user || !ok || !user.active) {
      throw new UnauthorizedError('INVALID_CREDENTIALS', 'Wrong username or password');
    }
    await limiter.giveBack(account, ip);
    return this.issue(db, { id: user.id, username: user.username, role: user.role }, ulid());
  }

  /**
   * Rotating refresh: each refresh token works once. Presenting one that was already used means it
   * leaked (or a client replayed it), so the whole family is revoked and everyone holding it must sign in.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = new Date();
    const outcome = await this.deps.db.transaction(async (trx) => {
      const row = await lockRefreshToken(trx, hashToken(refreshToken));
      if (!row || row.revoked_at) return { kind: 'invalid' as const };
      if (row.used_at) {
        await revokeRefreshFamily(trx, row.family_id, now);
        return { kind: 'reused' as const };
      }
      if (row.expires_at.getTime() <= now.getTime()) return { kind: 'expired' as const };
      await markRefreshTokenUsed(trx, row.id, now);
      const user = await findSignInUser(trx, row.user_id);
      // Deactivating an account ends its sessions at their next refresh.
      if (!user || !user.active) return { kind: 'invalid' as const };
      const { id, username, role } = user;
      return { kind: 'ok' as const, pair: await this.issue(trx, { id, username, role }, row.family_id) };
    });
    switch (outcome.kind) {
      case 'ok':
        return outcome.pair;
      case 'reused':
        throw new UnauthorizedError(
          'REFRESH_TOKEN_REUSED',
          'This refresh token was already used; sign in again',
        );
      case 'expired':
        throw new UnauthorizedError('REFRESH_TOKEN_EXPIRED', 'The refresh token has expired; sign in again');
      case 'invalid':
        throw new UnauthorizedError('REFRESH_TOKEN_INVALID', 'The refresh token is not valid');
    }
  }

  /** Signs out every session that descends from this refresh token. Unknown tokens are ignored. */
  async logout(refreshToken: string): Promise<void> {
    const familyId = await findRefreshFamily(this.deps.db, hashToken(refreshToken));
    if (familyId !== undefined) await revokeRefreshFamily(this.deps.db, familyId, new Date());
  }

  private async issue(db: Knex, user: AuthUser, familyId: string): Promise<TokenPair> {
    const { cfg } = this.deps;
    const access = signAccessToken(cfg.auth, user);
    const refreshToken = randomBytes(32).toString('base64url');
    await insertRefreshToken(db, {
      user_id: user.id,
      family_id: familyId,
      token_hash: hashToken(refreshToken),
      expires_at: new Date(Date.now() + cfg.auth.refreshTokenTtlS * 1000),
    });
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresInS,
      refreshToken,
      refreshExpiresIn: cfg.auth.refreshTokenTtlS,
      user,
    };
  }
}
