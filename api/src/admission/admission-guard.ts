import type { Redis } from '../../../core/redis.js';
import type { Knex } from 'knex';
import {
  AdmissionAllowance,
  LiveReservation,
  UnverifiedAdmission,
  type AllowanceKind,
  type AllowanceUnit,
} from '../../../core/admission/admission-allowance.js';
import { verifyAdmission, type AdmissionClaims } from '../../../core/admission/admission-token.js';
import type { Config } from '../../../core/config.js';
import { ConflictError } from '../../../core/errors.js';
import { isReservationLive } from '../reservations/reservation-read-model.js';

/** Revocation is checked inside the allowance's one script (admission-allowance.ts), not on its own. */
const checkedWithAllowance = () => Promise.resolve(false);

/**
 * Checks `X-Admission-Token` against the rooms guarding what the request touches, without calling the
 * waiting room, and takes one unit of that admission's allowance (ADR 015). Cost per submission: one
 * Redis round trip (one script) when the token is the one the waiting room recorded for the person (the
 * common case: its signature need not be checked, ADR 018); otherwise the ES256 check in process and a
 * second round trip. A sale admission's second reservation also reads MySQL once, to see whether the
 * first is still live.
 */
export class AdmissionGuard {
  private readonly allowance: AdmissionAllowance;

  constructor(
    private readonly cfg: Pick<Config, 'admission' | 'redis'>,
    redis: Redis,
    private readonly db: Knex,
  ) {
    this.allowance = new AdmissionAllowance(redis, cfg.redis.prefix, cfg.admission.requestAllowance);
  }

  /**
   * `token` is the request's `X-Admission-Token` header, `userId` its signed-in user. Give the unit back
   * with `release` unless the request was accepted (202 with a new row).
   */
  async take(
    token: string | undefined,
    userId: number,
    roomIds: readonly number[],
    kind: AllowanceKind,
    idempotencyKey: string,
  ): Promise<AllowanceUnit> {
    const expected = { userId, roomIds };
    // First without the signature: TAKE proves the token genuine by finding it recorded. Any refusal on
    // the way is left to the full check below, so a forged token is refused as before (signature first).
    const unsigned = await verifyAdmission(this.cfg.admission, token, expected, checkedWithAllowance, {
      signature: false,
    }).catch(() => undefined);
    if (unsigned) {
      try {
        return await this.takeUnit(unsigned, token as string, kind, idempotencyKey, false);
      } catch (err) {
        if (!(err instanceof UnverifiedAdmission)) throw err;
      }
    }
    const claims = await verifyAdmission(this.cfg.admission, token, expected, checkedWithAllowance);
    return this.takeUnit(claims, token as string, kind, idempotencyKey, true);
  }

  private async takeUnit(
    claims: AdmissionClaims,
    admitted: string,
    kind: AllowanceKind,
    idempotencyKey: string,
    verified: boolean,
  ): Promise<AllowanceUnit> {
    const userId = claims.userId;
    try {
      return await this.allowance.take(claims, admitted, kind, idempotencyKey, '', verified);
    } catch (err) {
      if (!(err instanceof LiveReservation)) throw err;
      if (await isReservationLive(this.db, userId, err.idempotencyKey)) {
        throw new ConflictError(
          'RESERVATION_ALREADY_LIVE',
          'Your admission allows one live reservation at a time: pay for or cancel the one you hold first',
        );
      }
      // The live one is over (cancelled, expired, refused): this one may take its place, if still so.
      try {
        // TAKE got as far as the live reservation: the token passed its genuineness check.
        return await this.allowance.take(claims, admitted, kind, idempotencyKey, err.idempotencyKey, true);
      } catch (again) {
        if (again instanceof LiveReservation) {
          throw new ConflictError(
            'RESERVATION_ALREADY_LIVE',
            'Another reservation of this admission was just requested',
          );
        }
        throw again;
      }
    }
  }

  release(unit: AllowanceUnit): Promise<void> {
    return this.allowance.giveBack(unit);
  }
}
