import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys } from '../../../core/redis-keys.js';
import { runScript } from '../../../core/redis-script.js';
import { permute, unpermute } from './permutation.js';
import {
  COMMIT_TICK_SCRIPT,
  CONFIGURE_SCRIPT,
  FIGURES_SCRIPT,
  FORFEIT_BUDGET_SCRIPT,
  JOIN_SCRIPT,
  OPERATOR_PHASE_SCRIPT,
  PLAN_TICK_SCRIPT,
  RECEIPT_SCRIPT,
  STATUS_SCRIPT,
} from './room-scripts.js';

export type Phase = 'idle' | 'prequeue' | 'open' | 'closed';
export type OperatorAction = 'prequeue' | 'open' | 'close' | 'pause' | 'resume';

export interface RoomSettings {
  ratePerMin: number;
  maxActive: number;
  tokenTtlS: number;
  prequeueOpensAt: Date;
  opensAt: Date;
  closesAt: Date | null;
}

export type JoinResult =
  | { ok: true; ticket: string; existing: boolean; phase: Phase; queueNumber: number | null; serving: number }
  | { ok: false; reason: 'NO_ROOM' | 'NOT_OPEN_YET' | 'CLOSED'; phase: Phase | null };

export interface RawStatus {
  ticket: string | null;
  phase: Phase;
  paused: boolean;
  pre: number;
  post: number;
  serving: number;
  seed: number | null;
  token: string | null;
  /** Admitted per minute, measured over the last minute (or since the opening, if sooner). */
  admittedPerMin: number;
  nowMs: number;
  ratePerMin: number;
  message: string;
  opensAtMs: number | null;
}

/** One person's record in a room, for their receipt. Times are ms since the epoch. */
export interface RawReceipt {
  phase: Phase;
  pre: number;
  seed: number | null;
  openedAtMs: number | null;
  ticket: string | null;
  /** Null for places taken before join times were recorded. */
  joinedAtMs: number | null;
  admittedAtMs: number | null;
  admissionExpiresAtMs: number | null;
}

export interface RoomCounters {
  phase: Phase;
  paused: boolean;
  pre: number;
  post: number;
  serving: number;
  seed: number | null;
  noShows: number;
  admittedTotal: number;
  active: number;
  admittedPerMin: number;
}

export interface TickPlan {
  /** Admitted per minute, measured over the last minute (or since the opening, if sooner). */
  admittedPerMin: number;
  noShows: number;
  admittedTotal: number;
  phase: Phase;
  paused: boolean;
  serving: number;
  slots: number;
  pre: number;
  post: number;
  seed: number | null;
  active: number;
  nowMs: number;
  /** This tick's number in the room's sequence (kept in Redis, so it carries on under a new leader). */
  seq: number;
}

/** What a queue number means given how many pre-queued and the opening's seed. */
export function queueNumberOf(ticket: string, pre: number, seed: number | null): number | null {
  const n = Number(ticket.slice(1));
  if (ticket.startsWith('q')) return pre + n;
  if (seed === null) return null; // still in the pre-queue: no number until the draw at the opening
  return permute(n - 1, pre, seed) + 1;
}

/** The ticket holding a queue number: the inverse of queueNumberOf. */
export function ticketOf(queueNumber: number, pre: number, seed: number | null): string {
  if (queueNumber > pre) return `q${queueNumber - pre}`;
  if (seed === null) throw new Error('pre-queue numbers exist only after the opening');
  return `p${unpermute(queueNumber - 1, pre, seed) + 1}`;
}

const num = (v: unknown): number => Number(v ?? 0);
const seedOf = (v: unknown): number | null => (v === '' || v === undefined || v === null ? null : Number(v));
/** A fresh 32-bit seed per call: used only if this very call performs the opening. */
const seedCandidate = () => String(randomInt(0, 2 ** 32 - 1));
const MAX_BURST_MS = 2_000;

/** Sums the per-tick admission log ("<ms>:<count>,…") over the last minute, as people per minute. */
function measuredPerMin(log: string, nowMs: number, openedAtMs: number | null): number {
  const admitted = log
    .split(',')
    .filter(Boolean)
    .reduce((sum, entry) => sum + num(entry.split(':')[1]), 0);
  const windowMs = openedAtMs === null ? 60_000 : Math.max(1_000, Math.min(60_000, nowMs - openedAtMs));
  return (admitted * 60_000) / windowMs;
}

/**
 * One process's handle on every room's live state in Redis. Holds no state of its own, so any number
 * of waiting-room processes can serve the same rooms.
 */
export class RoomQueue {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = redisKeys(prefix);
  }

  key(
    roomId: number,
    part: 'state' | 'users' | 'tickets' | 'active' | 'tokens' | 'admits' | 'joined' | 'admitted',
  ): string {
    return this.keys.room(roomId, part);
  }

  async configure(roomId: number, s: RoomSettings): Promise<Phase> {
    return (await runScript(
      this.redis,
      CONFIGURE_SCRIPT,
      1,
      this.key(roomId, 'state'),
      s.ratePerMin,
      s.maxActive,
      s.tokenTtlS,
      s.prequeueOpensAt.getTime(),
      s.opensAt.getTime(),
      s.closesAt ? s.closesAt.getTime() : '',
    )) as Phase;
  }

  async join(roomId: number, userId: number): Promise<JoinResult> {
    const r = (await runScript(
      this.redis,
      JOIN_SCRIPT,
      4,
      this.key(roomId, 'state'),
      this.key(roomId, 'users'),
      this.key(roomId, 'tickets'),
      this.key(roomId, 'joined'),
      userId,
      seedCandidate(),
    )) as string[];
    const status = r[0];
    if (status !== 'OK') {
      return {
        ok: false,
        reason: status as 'NO_ROOM' | 'NOT_OPEN_YET' | 'CLOSED',
        phase: (r[3] as Phase) ?? null,
      };
    }
    const ticket = r[1] as string;
    const pre = num(r[4]);
    const seed = seedOf(r[5]);
    return {
      ok: true,
      ticket,
      existing: num(r[2]) === 1,
      phase: r[3] as Phase,
      queueNumber: queueNumberOf(ticket, pre, seed),
      serving: num(r[6]),
    };
  }

  async status(roomId: number, userId: number): Promise<RawStatus | undefined> {
    const r = (await runScript(
      this.redis,
      STATUS_SCRIPT,
      4,
      this.key(roomId, 'state'),
      this.key(roomId, 'users'),
      this.key(roomId, 'tokens'),
      this.key(roomId, 'admits'),
      userId,
      seedCandidate(),
    )) as string[];
    if (r[0] !== 'OK') return undefined;
    const nowMs = num(r[10]);
    return {
      ticket: r[1] || null,
      phase: r[2] as Phase,
      paused: r[3] === '1',
      pre: num(r[4]),
      post: num(r[5]),
      serving: num(r[6]),
      seed: seedOf(r[7]),
      token: r[8] || null,
      admittedPerMin: measuredPerMin(r[9] ?? '', nowMs, r[14] ? num(r[14]) : null),
      nowMs,
      ratePerMin: num(r[11]),
      message: r[12] ?? '',
      opensAtMs: r[13] ? num(r[13]) : null,
    };
  }

  async planTick(roomId: number): Promise<TickPlan | undefined> {
    const r = (await runScript(
      this.redis,
      PLAN_TICK_SCRIPT,
      4,
      this.key(roomId, 'state'),
      this.key(roomId, 'active'),
      this.key(roomId, 'tokens'),
      this.key(roomId, 'admits'),
      seedCandidate(),
      MAX_BURST_MS,
    )) as (string | number)[];
    if (r[0] === 'NO_ROOM') return undefined;
    const nowMs = num(r[8]);
    return {
      admittedPerMin: measuredPerMin(String(r[9] ?? ''), nowMs, r[12] ? num(r[12]) : null),
      noShows: num(r[10]),
      admittedTotal: num(r[11]),
      phase: r[0] as Phase,
      paused: r[1] === '1',
      serving: num(r[2]),
      slots: num(r[3]),
      pre: num(r[4]),
      post: num(r[5]),
      seed: seedOf(r[6]),
      active: num(r[7]),
      nowMs,
      seq: num(r[13]),
    };
  }

  /** Users holding the given tickets, in order ('' where a ticket has no holder). */
  async holders(roomId: number, tickets: string[]): Promise<string[]> {
    if (tickets.length === 0) return [];
    const ids = await this.redis.hmget(this.key(roomId, 'tickets'), ...tickets);
    return ids.map((id) => id ?? '');
  }

  /** Lets in the planned people; false when another leader moved the serving number first. */
  async commitTick(
    roomId: number,
    expectedServing: number,
    admitted: { userId: string; token: string }[],
    expiresAtMs: number,
    nowMs: number,
  ): Promise<boolean> {
    const args: (string | number)[] = [expectedServing, admitted.length, expiresAtMs, nowMs];
    for (const a of admitted) args.push(a.userId, a.token);
    const ok = await runScript(
      this.redis,
      COMMIT_TICK_SCRIPT,
      5,
      this.key(roomId, 'state'),
      this.key(roomId, 'active'),
      this.key(roomId, 'tokens'),
      this.key(roomId, 'admits'),
      this.key(roomId, 'admitted'),
      ...args,
    );
    return ok === 1;
  }

  /** What the room recorded of one person, read-only (no phase change); undefined when Redis has no room. */
  async receipt(roomId: number, userId: number): Promise<RawReceipt | undefined> {
    const r = (await runScript(
      this.redis,
      RECEIPT_SCRIPT,
      4,
      this.key(roomId, 'state'),
      this.key(roomId, 'users'),
      this.key(roomId, 'joined'),
      this.key(roomId, 'admitted'),
      userId,
    )) as string[];
    if (r[0] === 'NO_ROOM') return undefined;
    const msOrNull = (v: string | undefined) => (v ? num(v) : null);
    const [admittedAt, expiresAt] = (r[6] ?? '').split(':');
    return {
      phase: r[0] as Phase,
      pre: num(r[1]),
      seed: seedOf(r[2]),
      openedAtMs: msOrNull(r[3]),
      ticket: r[4] || null,
      joinedAtMs: msOrNull(r[5]),
      admittedAtMs: msOrNull(admittedAt),
      admissionExpiresAtMs: msOrNull(expiresAt),
    };
  }

  async operatorPhase(
    roomId: number,
    action: OperatorAction,
  ): Promise<{ ok: boolean; phase: Phase; paused: boolean }> {
    const r = (await runScript(
      this.redis,
      OPERATOR_PHASE_SCRIPT,
      1,
      this.key(roomId, 'state'),
      action,
      seedCandidate(),
    )) as [number, string, string];
    return { ok: r[0] === 1, phase: r[1] as Phase, paused: r[2] === '1' };
  }

  /** Drops the admission budget beyond `used` (what this tick lets in). */
  async forfeitBudget(roomId: number, used: number): Promise<void> {
    await runScript(this.redis, FORFEIT_BUDGET_SCRIPT, 1, this.key(roomId, 'state'), used);
  }

  /** The person is done (committed, or left): they stop counting against the room's maximum active. */
  async finish(roomId: number, userId: number): Promise<boolean> {
    return (await this.redis.zrem(this.key(roomId, 'active'), String(userId))) === 1;
  }

  async setMessage(roomId: number, message: string): Promise<void> {
    await this.redis.hset(this.key(roomId, 'state'), 'message', message);
  }

  async figures(roomId: number): Promise<RoomCounters> {
    const r = (await runScript(
      this.redis,
      FIGURES_SCRIPT,
      3,
      this.key(roomId, 'state'),
      this.key(roomId, 'active'),
      this.key(roomId, 'admits'),
    )) as (string | number)[];
    if (r[0] === 'NO_ROOM') throw new Error(`room ${roomId} is not in Redis`);
    const nowMs = num(r[11]);
    return {
      phase: r[0] as Phase,
      paused: r[1] === '1',
      pre: num(r[2]),
      post: num(r[3]),
      serving: num(r[4]),
      seed: seedOf(r[5]),
      noShows: num(r[6]),
      admittedTotal: num(r[7]),
      active: num(r[9]),
      admittedPerMin: measuredPerMin(String(r[10] ?? ''), nowMs, r[8] ? num(r[8]) : null),
    };
  }
}
