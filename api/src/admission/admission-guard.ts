import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { revocationChecker } from '../../../core/admission/admission-revocations.js';
import {
  verifyAdmission,
  type AdmissionClaims,
  type IsRevoked,
} from '../../../core/admission/admission-token.js';
import { currentUser } from '../../../core/auth/require-auth.js';
import type { Config } from '../../../core/config.js';

/** Checks `X-Admission-Token` against the rooms guarding what the request touches, without calling the waiting room. */
export class AdmissionGuard {
  private readonly isRevoked: IsRevoked;

  constructor(
    private readonly cfg: Pick<Config, 'admission' | 'redis'>,
    redis: Redis,
  ) {
    this.isRevoked = revocationChecker(redis, cfg.redis.prefix);
  }

  check(req: Request, roomIds: readonly number[]): Promise<AdmissionClaims> {
    return verifyAdmission(
      this.cfg.admission,
      req.get('x-admission-token'),
      { userId: currentUser(req).id, roomIds },
      this.isRevoked,
    );
  }
}
