import { randomInt } from 'node:crypto';
import type { Redis } from '../../../core/redis.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { runScript } from '../../../core/redis-script.js';
import { isRoomPhase, type RoomPhase } from '../../../core/rooms/room-phase.js';
import type { PaceState } from '../admission/adaptive-pace.js';
import { paceArgs, paceOfFields } from '../admission/pace-store.js';
import { permute, unpermute } from './permutation.js';
import { decodeReply, type RoomKeyPart, type RoomScript, type ScriptResult } from './room-script.js';
import {
  COMMIT_TICK,
  CONFIGURE,
  FIGURES,
  FORFEIT_BUDGET,
  JOIN,
  OPERATOR_PHASE,
  PLAN_TICK,
  RECEIPT,
  STATUS,
} from './room-scripts.js';
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
  | {
      ok: true;
      ticket: string;
      existing: boolean;
      phase: RoomPhase;
      queueNumber: number | null;
      serving: number;
    }
  | { ok: false; reason: 'NO_ROOM' | 'NOT_OPEN_YET' | 'CLOSED'; phase: RoomPhase | null };

export interface RawStatus {
  ticket: string | null;
  phase: RoomPhase;
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
  soldOut: boolean;
}

/** One person's record in a room, for their receipt. Times are ms since the epoch. */
export interface RawReceipt {
  phase: RoomPhase;
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
  phase: RoomPhase;
  paused: boolean;
  pre: number;
  post: number;
  serving: number;
  seed: number | null;
  noShows: number;
  admittedTotal: number;
  active: number;
  admittedPerMin: number;
  soldOut: boolean;
}

export interface TickPlan {
  /** Admitted per minute, measured over the last minute (or since the opening, if sooner). */
  admittedPerMin: number;
  noShows: number;
  admittedTotal: number;
  phase: RoomPhase;
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
  /** The room's stored adaptive pace, after the step this plan wrote; null if never paced (ADR 012). */
  pace: PaceState | null;
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

const num = (v: string | undefined): number => Number(v ?? 0);
/** Times and seeds are '' in Redis until they are set. */
const msOrNull = (v: string | undefined): number | null => (v ? Number(v) : null);
const seedOf = (v: string): number | null => (v === '' ? null : Number(v));
/** A phase from a script's reply; anything else means Redis holds a state the scripts never write. */
function phaseOf(roomId: number, value: string): RoomPhase {
  if (isRoomPhase(value)) return value;
  throw new Error(`room ${roomId} has phase '${value}' in Redis`);
}
type QueueStateFields = 'phase' | 'paused' | 'pre' | 'post' | 'serving' | 'seed';
/** The queue's counters, which every live read of a room replies with under the same names. */
function queueStateOf(roomId: number, r: { readonly [F in QueueStateFields]: string }) {
  return {
    phase: phaseOf(roomId, r.phase),
    paused: r.paused === '1',
    pre: num(r.pre),
    post: num(r.post),
    serving: num(r.serving),
    seed: seedOf(r.seed),
  };
}
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

  key(roomId: number, part: RoomKeyPart): string {
    return this.keys.room(roomId, part);
  }

  async configure(roomId: number, s: RoomSettings): Promise<RoomPhase> {
    const reply = await this.run(CONFIGURE, roomId, {
      rate: s.ratePerMin,
      maxActive: s.maxActive,
      ttlS: s.tokenTtlS,
      prequeueAt: s.prequeueOpensAt.getTime(),
      opensAt: s.opensAt.getTime(),
      closesAt: s.closesAt ? s.closesAt.getTime() : '',
    });
    return phaseOf(roomId, reply.phase);
  }

  async join(roomId: number, userId: number): Promise<JoinResult> {
    const r = await this.run(JOIN, roomId, { userId, seedCandidate: seedCandidate() });
    if (!r) return { ok: false, reason: 'NO_ROOM', phase: null };
    const phase = phaseOf(roomId, r.phase);
    if (r.status === 'NOT_OPEN_YET' || r.status === 'CLOSED') return { ok: false, reason: r.status, phase };
    if (r.status !== 'OK') throw new Error(`${JOIN.name} replied status '${r.status}'`);
    return {
      ok: true,
      ticket: r.ticket,
      existing: r.existing === '1',
      phase,
      queueNumber: queueNumberOf(r.ticket, num(r.pre), seedOf(r.seed)),
      serving: num(r.serving),
    };
  }

  async status(roomId: number, userId: number): Promise<RawStatus | undefined> {
    const r = await this.run(STATUS, roomId, { userId, seedCandidate: seedCandidate() });
    if (!r) return undefined;
    const nowMs = num(r.now);
    return {
      ticket: r.ticket || null,
      ...queueStateOf(roomId, r),
      token: r.token || null,
      admittedPerMin: measuredPerMin(r.admits, nowMs, msOrNull(r.openedAt)),
      nowMs,
      ratePerMin: num(r.rate),
      message: r.message,
      opensAtMs: msOrNull(r.opensAt),
      soldOut: r.soldOut === '1',
    };
  }

  /** `pace`: the step the leader worked out at the previous tick, written before this tick's budget accrues. */
  /**
   * @param pace the step worked out at the previous tick, to store first
   * @param startPace an adaptive room's opening pace, stored if it has none yet (fixed rooms: none)
   */
  async planTick(roomId: number, pace?: PaceState, startPace?: number): Promise<TickPlan | undefined> {
    const r = await this.run(PLAN_TICK, roomId, {
      seedCandidate: seedCandidate(),
      maxBurstMs: MAX_BURST_MS,
      ...paceArgs(pace),
      startPace: startPace === undefined ? '' : String(startPace),
    });
    if (!r) return undefined;
    const nowMs = num(r.now);
    return {
      admittedPerMin: measuredPerMin(r.admits, nowMs, msOrNull(r.openedAt)),
      noShows: num(r.noshows),
      admittedTotal: num(r.admitted),
      ...queueStateOf(roomId, r),
      slots: num(r.slots),
      active: num(r.active),
      nowMs,
      seq: num(r.seq),
      pace: paceOfFields(r),
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
    const pairs = admitted.flatMap((a) => [a.userId, a.token]);
    const r = await this.run(
      COMMIT_TICK,
      roomId,
      { expectedServing, count: admitted.length, expiresAtMs, now: nowMs },
      pairs,
    );
    return r.committed === '1';
  }

  /** What the room recorded of one person, read-only (no phase change); undefined when Redis has no room. */
  async receipt(roomId: number, userId: number): Promise<RawReceipt | undefined> {
    const r = await this.run(RECEIPT, roomId, { userId });
    if (!r) return undefined;
    const [admittedAt, expiresAt] = r.admitted.split(':');
    return {
      phase: phaseOf(roomId, r.phase),
      pre: num(r.pre),
      seed: seedOf(r.seed),
      openedAtMs: msOrNull(r.openedAt),
      ticket: r.ticket || null,
      joinedAtMs: msOrNull(r.joinedAt),
      admittedAtMs: msOrNull(admittedAt),
      admissionExpiresAtMs: msOrNull(expiresAt),
    };
  }

  async operatorPhase(
    roomId: number,
    action: OperatorAction,
  ): Promise<{ ok: boolean; phase: RoomPhase; paused: boolean }> {
    const r = await this.run(OPERATOR_PHASE, roomId, { action, seedCandidate: seedCandidate() });
    if (!r) throw new Error(`room ${roomId} is not in Redis`);
    return { ok: r.ok === '1', phase: phaseOf(roomId, r.phase), paused: r.paused === '1' };
  }

  /** Drops the admission budget beyond `used` (what this tick lets in). */
  async forfeitBudget(roomId: number, used: number): Promise<void> {
    await this.run(FORFEIT_BUDGET, roomId, { used });
  }

  /** The person is done (committed, or left): they stop counting against the room's maximum active. */
  async finish(roomId: number, userId: number): Promise<boolean> {
    return (await this.redis.zrem(this.key(roomId, 'active'), String(userId))) === 1;
  }

  async setMessage(roomId: number, message: string): Promise<void> {
    await this.redis.hset(this.key(roomId, 'state'), 'message', message);
  }

  async figures(roomId: number): Promise<RoomCounters> {
    const r = await this.run(FIGURES, roomId, {});
    if (!r) throw new Error(`room ${roomId} is not in Redis`);
    const nowMs = num(r.now);
    return {
      ...queueStateOf(roomId, r),
      noShows: num(r.noshows),
      admittedTotal: num(r.admitted),
      active: num(r.active),
      admittedPerMin: measuredPerMin(r.admits, nowMs, msOrNull(r.openedAt)),
      soldOut: r.soldOut === '1',
    };
  }

  /** The room's sold-out flag as Redis holds it (written by the admission leader only, inventory.ts). */
  async soldOut(roomId: number): Promise<boolean> {
    return (await this.redis.hget(this.key(roomId, 'state'), 'sold_out')) === '1';
  }

  async setSoldOut(roomId: number, soldOut: boolean): Promise<void> {
    await this.redis.hset(this.key(roomId, 'state'), 'sold_out', soldOut ? '1' : '0');
  }

  /** Runs one of the room's scripts with its keys and arguments by name, and decodes its reply by name. */
  private async run<S extends RoomScript>(
    script: S,
    roomId: number,
    args: { readonly [P in S['argv'][number]]: string | number },
    more: (string | number)[] = [],
  ): Promise<ScriptResult<S>> {
    const reply = await runScript(
      this.redis,
      script.lua,
      script.keys.length,
      ...script.keys.map((part) => this.key(roomId, part)),
      ...script.argv.map((name: S['argv'][number]) => args[name]),
      ...more,
    );
    return decodeReply(script, reply);
  }
}
