import {
  roomChannel,
  userRoom,
  type AdmittedMessage,
  type RoomSoldOut,
  type RoomTick,
} from '../../../core/live-events.js';
import { countPush } from '../../../core/metrics/live-metrics.js';
import type { RoomPhase } from '../../../core/rooms/room-phase.js';
import { pushPersonal } from './personal-pushes.js';
import type { LiveServer } from './socket-server.js';
import { tickGoesOut, type LiveCadence } from './live-cadence.js';
import { tickGroupChannel, tickGroupOf } from './tick-groups.js';

/**
 * Everything the waiting room pushes. Through the Redis adapter each emit reaches sockets on every
 * waiting-room process; room-wide messages go once per room, never once per waiting person.
 */
export class LiveBroadcaster {
  /**
   * @param tickGroups how many groups each room's watchers are split into (tickGroupCount).
   * @param cadence how many rounds of the groups' turns go by per round sent (live-cadence.ts).
   */
  constructor(
    private readonly io: LiveServer,
    readonly tickGroups = 1,
    private readonly cadence: LiveCadence = { stretch: () => 1 },
  ) {}

  /**
   * The periodic state of a room, to one of its tick groups: the one whose turn tick number `seq` is
   * (the room's own tick sequence, kept in Redis, so the turns carry on when another process leads),
   * unless the host is out of CPU and this round of turns is one the stretch skips.
   */
  tick(tick: RoomTick, seq: number): void {
    if (!tickGoesOut(seq, this.tickGroups, this.cadence.stretch(Date.now()))) return;
    this.io.to(tickGroupChannel(tick.roomId, tickGroupOf(seq, this.tickGroups))).emit('room:tick', tick);
    countPush('room:tick');
  }

  phase(roomId: number, phase: RoomPhase, paused: boolean): void {
    this.io.to(roomChannel(roomId)).emit('room:phase', { roomId, phase, paused });
    countPush('room:phase');
  }

  message(roomId: number, message: string): void {
    this.io.to(roomChannel(roomId)).emit('room:message', { roomId, message, at: new Date().toISOString() });
    countPush('room:message');
  }

  /** To the whole room at once, not a tick group: everyone still waiting learns it together. */
  soldOut(msg: RoomSoldOut): void {
    this.io.to(roomChannel(msg.roomId)).emit('room:soldOut', msg);
    countPush('room:soldOut');
  }

  /** Everyone one tick let in: one message across the processes, not one per person (ADR 018). */
  admitted(grants: readonly { userId: number; msg: AdmittedMessage }[]): void {
    pushPersonal(
      this.io,
      grants.map((g) => ({ userId: g.userId, event: 'admitted', data: g.msg })),
      this.tickGroups,
    );
    countPush('admitted', grants.length);
  }

  revoked(userId: number, roomId: number): void {
    this.io.to(userRoom(userId)).emit('admission:revoked', { roomId });
    countPush('admission:revoked');
  }
}
