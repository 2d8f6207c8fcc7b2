import type { Redis } from '../redis.js';
import { ConflictError, ForbiddenError } from '../errors.js';
import { redisKeys } from '../redis-keys.js';
import { runScript } from '../redis-script.js';
import type { AdmissionClaims } from './admission-token.js';

/**
 * An admission is an allowance for its own room (docs/adr/015-admission-allowance.md): a number of
 * accepted requests, and for a sale one live reservation at a time. What is left of it lives in Redis,
 * one hash per admission under the room's hash tag (`{r:<room>}:allowance:<jti>`, `used` and `live`),
 * expiring with the token, so every api process counts the same allowance; and the room's `used` hash
 * (user id → requests accepted under any admission of the room), which tells the join whether a lapsed
 * admission went unused (room-scripts.ts JOIN).
 *
 * TAKE is the whole Redis side of the admission check, one script, one round trip (it replaces the
 * revocation ZSCORE the check made before): revoked, room closed (by an operator or by its closing
 * time), room paused, allowance spent, a sale's reservation still live; else it takes one unit. Taking
 * the last unit ends the admission: the person leaves the room's active set and their token entry is
 * cleared (only when the entry is this very token), so the next person can be let in.
 *
 * The unit is taken before the request is recorded, so parallel submissions can never pass together;
 * a submission that then is not accepted (a retry of a known key, a refusal, a failure) gives it back
 * with GIVE_BACK (one more round trip, only on that path).
 *
 * A token whose signature was not checked (`verified` 0) passes only if it is the very token the waiting
 * room recorded for this person in this room: that proves it genuine without the ES256 verification,
 * which was the largest single cost of a submission (ADR 018). Otherwise TAKE answers UNVERIFIED, takes
 * nothing, and the caller checks the signature and asks again.
 */
const TAKE = `
local jti, uid, token = ARGV[1], ARGV[2], ARGV[3]
local exp_ms, allowance, kind, key, expect_live = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]
if ARGV[9] ~= '1' and redis.call('HGET', KEYS[4], uid) ~= token then return {'UNVERIFIED'} end
if redis.call('ZSCORE', KEYS[2], jti) then return {'REVOKED'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'phase', 'paused', 'closes_at')
if s[1] == 'closed' or (s[3] and s[3] ~= '' and now >= tonumber(s[3])) then return {'CLOSED'} end
if s[2] == '1' then return {'PAUSED'} end
local a = redis.call('HMGET', KEYS[3], 'used', 'live')
local used = tonumber(a[1] or '0')
if used >= allowance then return {'SPENT'} end
local live = a[2] or ''
if kind == 'reservation' then
  if live ~= '' and live ~= expect_live then return {'LIVE', live} end
  redis.call('HSET', KEYS[3], 'live', key)
end
used = redis.call('HINCRBY', KEYS[3], 'used', 1)
redis.call('PEXPIREAT', KEYS[3], exp_ms)
redis.call('HINCRBY', KEYS[6], uid, 1)
local ended = '0'
if used >= allowance and redis.call('HGET', KEYS[4], uid) == token then
  redis.call('HDEL', KEYS[4], uid)
  redis.call('ZREM', KEYS[5], uid)
  ended = '1'
end
return {'OK', live, ended}
`;

/** Undoes one TAKE: the unit, the live reservation it named, and the admission it ended (if still valid). */
const GIVE_BACK = `
local uid, token, exp_ms, kind, prev_live, ended = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6]
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local used = redis.call('HINCRBY', KEYS[1], 'used', -1)
if used < 0 then redis.call('HSET', KEYS[1], 'used', 0) end
if tonumber(redis.call('HINCRBY', KEYS[4], uid, -1)) <= 0 then redis.call('HDEL', KEYS[4], uid) end
if kind == 'reservation' then redis.call('HSET', KEYS[1], 'live', prev_live) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ended == '1' and exp_ms > now and redis.call('HEXISTS', KEYS[2], uid) == 0 then
  redis.call('HSET', KEYS[2], uid, token)
  redis.call('ZADD', KEYS[3], exp_ms, uid)
end
return {}
`;

export type AllowanceKind = 'enrollment' | 'reservation';

/** One unit taken from an admission; hand it to `giveBack` if the request was not accepted after all. */
export interface AllowanceUnit {
  claims: AdmissionClaims;
  token: string;
  kind: AllowanceKind;
  /** The live reservation's Idempotency-Key before this one took its place ('' = none). */
  previousLive: string;
  /** Whether taking this unit spent the admission and so ended it. */
  ended: boolean;
}

/** TAKE could not tell the token genuine without its signature: check it, then take with `verified`. */
export class UnverifiedAdmission extends Error {
  constructor() {
    super('The admission token is not the one recorded; its signature must be checked');
  }
}

/** The reservation an admission still counts as live, named by the Idempotency-Key it was requested with. */
export class LiveReservation extends Error {
  constructor(readonly idempotencyKey: string) {
    super('A reservation of this admission is still live');
  }
}

export class AdmissionAllowance {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly allowance: number,
  ) {
    this.keys = redisKeys(prefix);
  }

  /**
   * Takes one unit for a request of `kind` under the key `idempotencyKey`. `replacingLive`: the key of a
   * reservation the caller found is no longer live, which this one may replace. `verified`: whether the
   * token's signature was checked. Throws the refusal (403 ADMISSION_REVOKED / ADMISSION_ROOM_CLOSED,
   * 409 ROOM_PAUSED / ADMISSION_SPENT), LiveReservation or UnverifiedAdmission.
   */
  async take(
    claims: AdmissionClaims,
    token: string,
    kind: AllowanceKind,
    idempotencyKey: string,
    replacingLive = '',
    verified = true,
  ): Promise<AllowanceUnit> {
    const room = claims.roomId;
    const reply = (await runScript(
      this.redis,
      TAKE,
      6,
      this.keys.room(room, 'state'),
      this.keys.room(room, 'revoked'),
      this.allowanceKey(claims),
      this.keys.room(room, 'tokens'),
      this.keys.room(room, 'active'),
      this.keys.room(room, 'used'),
      claims.jti,
      String(claims.userId),
      token,
      claims.expiresAt.getTime(),
      this.allowance,
      kind,
      idempotencyKey,
      replacingLive,
      verified ? '1' : '0',
    )) as string[];
    switch (reply[0]) {
      case 'OK':
        return { claims, token, kind, previousLive: reply[1] ?? '', ended: reply[2] === '1' };
      case 'REVOKED':
        throw new ForbiddenError('ADMISSION_REVOKED', 'This admission was revoked by an operator');
      case 'CLOSED':
        throw new ForbiddenError(
          'ADMISSION_ROOM_CLOSED',
          'The waiting room that admitted you is closed; its admissions have ended',
        );
      case 'PAUSED':
        throw new ConflictError(
          'ROOM_PAUSED',
          'The waiting room is paused; submissions are taken again when it resumes',
        );
      case 'SPENT':
        throw new ConflictError(
          'ADMISSION_SPENT',
          `This admission allowed ${this.allowance} accepted requests and they are used; join the waiting room again`,
        );
      case 'LIVE':
        throw new LiveReservation(reply[1] ?? '');
      case 'UNVERIFIED':
        throw new UnverifiedAdmission();
      default:
        throw new Error(`unexpected allowance reply ${String(reply[0])}`);
    }
  }

  /** Gives a unit back: its request was not accepted (a retry of a known key, refused, or failed). */
  async giveBack(unit: AllowanceUnit): Promise<void> {
    const room = unit.claims.roomId;
    await runScript(
      this.redis,
      GIVE_BACK,
      4,
      this.allowanceKey(unit.claims),
      this.keys.room(room, 'tokens'),
      this.keys.room(room, 'active'),
      this.keys.room(room, 'used'),
      String(unit.claims.userId),
      unit.token,
      unit.claims.expiresAt.getTime(),
      unit.kind,
      unit.previousLive,
      unit.ended ? '1' : '0',
    );
  }

  private allowanceKey(claims: AdmissionClaims): string {
    return this.keys.room(claims.roomId, `allowance:${claims.jti}`);
  }
}
