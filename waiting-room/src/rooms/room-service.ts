import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import type { RoomStatusView } from '../../../core/live-events.js';
import type { RoomQueue } from '../queue/room-queue.js';
import { toStatusView } from '../queue/status-view.js';
import { GradeCheck } from './grade-check.js';
import { findRoom, type RoomRow } from './room-store.js';

export interface JoinView {
  roomId: number;
  /** False when this person already held a place (reload, second tab, retry): the same place is returned. */
  created: boolean;
  phase: RoomStatusView['phase'];
  queueNumber: number | null;
  servingNumber: number;
  position: number | null;
  admitted: boolean;
}

export const roomSettings = (row: RoomRow) => ({
  ratePerMin: row.admission_rate_per_min,
  maxActive: row.max_active,
  tokenTtlS: row.token_ttl_s,
  prequeueOpensAt: row.prequeue_opens_at,
  opensAt: row.opens_at,
  closesAt: row.closes_at,
});

/**
 * What a person does in a room: join and look. Redis answers both in one round trip; MySQL is read
 * only the first time a room is seen by Redis (its definition is copied there, then kept in sync by
 * the admission leader).
 */
export class RoomService {
  private readonly grades: GradeCheck;

  constructor(
    private readonly db: Knex,
    private readonly queue: RoomQueue,
  ) {
    this.grades = new GradeCheck(db);
  }

  /**
   * One round trip to Redis on the hot path; the full view is one GET /status away. A registration room
   * first checks the person's year against its window (grade-check.ts: cached, batched, no Redis).
   */
  async join(roomId: number, userId: number): Promise<JoinView> {
    await this.grades.assertMayJoin(roomId, userId);
    let result = await this.queue.join(roomId, userId);
    if (!result.ok && result.reason === 'NO_ROOM') {
      await this.loadRoom(roomId);
      result = await this.queue.join(roomId, userId);
    }
    if (!result.ok) {
      if (result.reason === 'NOT_OPEN_YET') {
        throw new ConflictError(
          'ROOM_NOT_OPEN',
          'This waiting room does not take places yet; come back at the pre-queue time',
        );
      }
      if (result.reason === 'CLOSED') throw new ConflictError('ROOM_CLOSED', 'This waiting room is closed');
      throw new NotFoundError('ROOM_NOT_FOUND', `No waiting room ${roomId}`);
    }
    const { queueNumber, serving } = result;
    return {
      roomId,
      created: !result.existing,
      phase: result.phase,
      queueNumber,
      servingNumber: serving,
      position: queueNumber === null ? null : Math.max(0, queueNumber - serving),
      admitted: queueNumber !== null && queueNumber <= serving,
    };
  }

  async status(roomId: number, userId: number): Promise<RoomStatusView> {
    let raw = await this.queue.status(roomId, userId);
    if (!raw) {
      await this.loadRoom(roomId);
      raw = await this.queue.status(roomId, userId);
    }
    if (!raw) throw new NotFoundError('ROOM_NOT_FOUND', `No waiting room ${roomId}`);
    return toStatusView(roomId, raw);
  }

  /** Copies a room's definition from MySQL into Redis. */
  /**
   * Each room's sold-out flag (ADR 013), for the room list: one Redis read per room, sent together (one
   * round trip's wait); a room Redis has not seen yet is not sold out.
   */
  soldOut(roomIds: number[]): Promise<boolean[]> {
    return Promise.all(roomIds.map((id) => this.queue.soldOut(id)));
  }

  async loadRoom(roomId: number): Promise<RoomRow> {
    const row = await findRoom(this.db, roomId);
    if (!row) throw new NotFoundError('ROOM_NOT_FOUND', `No waiting room ${roomId}`);
    await this.queue.configure(roomId, roomSettings(row));
    return row;
  }
}
