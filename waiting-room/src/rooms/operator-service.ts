import type { Knex } from 'knex';
import type { Redis } from '../../../core/redis.js';
import { revokeAdmission } from '../../../core/admission/admission-revocations.js';
import { decodeAdmissionToken } from '../../../core/admission/admission-token.js';
import { writeAudit } from '../../../core/audit.js';
import type { Config } from '../../../core/config.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.js';
import type { OperatorAction, RoomQueue } from '../queue/room-queue.js';
import type { RoomFiguresView } from '../../../core/live-events.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { countQueuedRequests } from '../../../core/requests/request-store.js';
import type { AdmissionMode } from '../admission/adaptive-pace.js';
import { PaceStore } from '../admission/pace-store.js';
import { recentOutcomes } from './room-outcomes.js';
import {
  findRoom,
  insertRoom,
  roomGuardingWindow,
  roomSlugTaken,
  savePhase,
  toRoomSummary,
  updateRoom,
  type RoomDefinition,
  type RoomRow,
  type RoomSummary,
} from './room-store.js';
import { roomSettings } from './room-service.js';

export interface RoomFigures {
  roomId: number;
  phase: string;
  paused: boolean;
  waiting: number;
  admitted: number;
  active: number;
  admittedPerMin: number;
  noShows: number;
  joinedBeforeOpening: number;
  joinedAfterOpening: number;
  servingNumber: number;
  shuffleSeed: number | null;
  admissionMode: AdmissionMode;
  /** The rate admission runs at now: the adaptive pace, or the fixed rate (ADR 012). */
  effectiveRatePerMin: number;
}

export interface OperatorBroadcast {
  message(roomId: number, message: string): void;
  revoked(userId: number, roomId: number): void;
}

/** Staff controls over a room. Every change is written to MySQL with an audit row, then to Redis. */
export class OperatorService {
  private readonly paces: PaceStore;

  constructor(
    private readonly db: Knex,
    private readonly redis: Redis,
    private readonly queue: RoomQueue,
    private readonly cfg: Pick<Config, 'admission' | 'redis'>,
    private readonly broadcast: OperatorBroadcast,
  ) {
    this.paces = new PaceStore(redis, redisKeys(cfg.redis.prefix));
  }

  async create(actorId: number, d: RoomDefinition): Promise<RoomSummary> {
    const row = await this.db.transaction(async (trx) => {
      if (await roomSlugTaken(trx, d.slug))
        throw new ConflictError('ROOM_SLUG_TAKEN', `A room called ${d.slug} exists already`);
      await refuseSecondRoom(trx, d.registrationWindowId);
      const created = await findRoom(trx, await insertRoom(trx, d));
      if (!created) throw new Error('room vanished after insert');
      await writeAudit(trx, {
        actorUserId: actorId,
        entity: 'waiting_room',
        entityId: created.id,
        action: 'create',
        after: created,
      });
      return created;
    });
    await this.queue.configure(row.id, roomSettings(row));
    return toRoomSummary(row);
  }

  async edit(actorId: number, roomId: number, patch: Partial<RoomDefinition>): Promise<RoomSummary> {
    const row = await this.db.transaction(async (trx) => {
      const before = await this.requireRoomIn(trx, roomId);
      const pre = patch.prequeueOpensAt ?? before.prequeue_opens_at;
      const opens = patch.opensAt ?? before.opens_at;
      const closes = patch.closesAt === undefined ? before.closes_at : patch.closesAt;
      if (pre > opens || (closes !== null && opens >= closes)) {
        throw new ValidationError('times must run prequeueOpensAt ≤ opensAt < closesAt', {
          prequeueOpensAt: pre,
          opensAt: opens,
          closesAt: closes,
        });
      }
      await updateRoom(trx, roomId, patch);
      const after = (await findRoom(trx, roomId)) as RoomRow;
      await writeAudit(trx, {
        actorUserId: actorId,
        entity: 'waiting_room',
        entityId: roomId,
        action: 'edit',
        before,
        after,
      });
      return after;
    });
    await this.queue.configure(roomId, roomSettings(row));
    return toRoomSummary(row);
  }

  async act(
    actorId: number,
    roomId: number,
    action: OperatorAction,
  ): Promise<{ phase: string; paused: boolean }> {
    const row = await this.requireRoom(roomId);
    await this.queue.configure(roomId, roomSettings(row));
    const result = await this.queue.operatorPhase(roomId, action);
    if (!result.ok) {
      throw new ConflictError('ROOM_PHASE_CONFLICT', `Cannot ${action} a room that is ${result.phase}`);
    }
    const { seed } = await this.queue.figures(roomId);
    await this.db.transaction(async (trx) => {
      await savePhase(trx, roomId, result.phase, result.paused, seed);
      await writeAudit(trx, {
        actorUserId: actorId,
        entity: 'waiting_room',
        entityId: roomId,
        action,
        before: { state: row.state },
        after: { phase: result.phase, paused: result.paused },
      });
    });
    return { phase: result.phase, paused: result.paused };
  }

  /** Revokes the admission token a user holds in this room; the api refuses it from then on. */
  async revoke(
    actorId: number,
    roomId: number,
    userId: number,
  ): Promise<{ revoked: boolean; jti: string | null }> {
    await this.requireRoom(roomId);
    const token = await this.redis.hget(this.queue.key(roomId, 'tokens'), String(userId));
    if (!token) return { revoked: false, jti: null };
    const claims = decodeAdmissionTokenLenient(this.cfg, token);
    if (!claims) return { revoked: false, jti: null };
    await revokeAdmission(this.redis, this.cfg.redis.prefix, roomId, claims.jti, claims.expiresAt.getTime());
    await this.redis.hdel(this.queue.key(roomId, 'tokens'), String(userId));
    await this.queue.finish(roomId, userId);
    this.broadcast.revoked(userId, roomId);
    await writeAudit(this.db, {
      actorUserId: actorId,
      entity: 'waiting_room',
      entityId: roomId,
      action: 'revoke_admission',
      after: { userId, jti: claims.jti },
    });
    return { revoked: true, jti: claims.jti };
  }

  async publishMessage(actorId: number, roomId: number, message: string): Promise<void> {
    await this.requireRoom(roomId);
    await this.queue.setMessage(roomId, message);
    this.broadcast.message(roomId, message);
    await writeAudit(this.db, {
      actorUserId: actorId,
      entity: 'waiting_room',
      entityId: roomId,
      action: 'message',
      after: { message },
    });
  }

  async figures(roomId: number): Promise<RoomFigures> {
    const row = await this.requireRoom(roomId);
    await this.queue.configure(roomId, roomSettings(row));
    const [f, effectiveRatePerMin] = await Promise.all([this.queue.figures(roomId), this.effectiveRate(row)]);
    return {
      roomId,
      phase: f.phase,
      paused: f.paused,
      waiting: Math.max(0, f.pre + f.post - f.serving),
      admitted: f.admittedTotal,
      active: f.active,
      admittedPerMin: Math.round(f.admittedPerMin),
      noShows: f.noShows,
      joinedBeforeOpening: f.pre,
      joinedAfterOpening: f.post,
      servingNumber: f.serving,
      shuffleSeed: f.seed,
      admissionMode: row.admission_mode,
      effectiveRatePerMin,
    };
  }

  /** Everything the staff console shows (socket `room:figures`): the queue's figures plus MySQL's. */
  async liveFigures(roomId: number): Promise<RoomFiguresView> {
    const row = await this.requireRoom(roomId);
    await this.queue.configure(roomId, roomSettings(row));
    const [f, commitBacklog, recent, effectiveRatePerMin] = await Promise.all([
      this.queue.figures(roomId),
      countQueuedRequests(this.db, roomId),
      recentOutcomes(this.db, roomId),
      this.effectiveRate(row),
    ]);
    return {
      roomId,
      phase: f.phase,
      paused: f.paused,
      waiting: Math.max(0, f.pre + f.post - f.serving),
      admitted: f.admittedTotal,
      active: f.active,
      admittedPerMin: Math.round(f.admittedPerMin),
      noShows: f.noShows,
      servingNumber: f.serving,
      admissionRatePerMin: row.admission_rate_per_min,
      admissionMode: row.admission_mode,
      effectiveRatePerMin,
      maxActive: row.max_active,
      commitBacklog,
      ...recent,
      soldOut: f.soldOut,
      at: new Date().toISOString(),
    };
  }

  /** The pace the leader last set, never above the rate (which the operator may just have lowered). */
  private async effectiveRate(row: RoomRow): Promise<number> {
    if (row.admission_mode === 'fixed') return row.admission_rate_per_min;
    const pace = await this.paces.effectiveRate(row.id);
    return Math.round(Math.min(row.admission_rate_per_min, pace ?? row.admission_rate_per_min));
  }

  private requireRoom(roomId: number): Promise<RoomRow> {
    return this.requireRoomIn(this.db, roomId);
  }

  private async requireRoomIn(db: Knex, roomId: number): Promise<RoomRow> {
    const row = await findRoom(db, roomId);
    if (!row) throw new NotFoundError('ROOM_NOT_FOUND', `No waiting room ${roomId}`);
    return row;
  }
}

/** An expired token still names its jti; revoking it is harmless and keeps the record complete. */
function decodeAdmissionTokenLenient(cfg: Pick<Config, 'admission'>, token: string) {
  try {
    return decodeAdmissionToken(cfg.admission, token);
  } catch {
    return undefined;
  }
}

/**
 * One room per registration window: the catalogue and the student's page show a window's first room only,
 * so a second one (a double click, a staff list read from a replica a moment behind) would admit nobody
 * anyone sees. Checked on the primary, under the window's lock. (An edit cannot move a room to another window.)
 */
async function refuseSecondRoom(trx: Knex.Transaction, windowId: number | null): Promise<void> {
  if (windowId === null) return;
  const existing = await roomGuardingWindow(trx, windowId);
  if (existing !== undefined)
    throw new ConflictError(
      'WINDOW_HAS_ROOM',
      `Registration window ${windowId} has a waiting room already (room ${existing})`,
      { roomId: existing },
    );
}
