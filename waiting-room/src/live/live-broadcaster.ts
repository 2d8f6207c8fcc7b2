import { roomChannel, userRoom, type RoomPhase, type RoomTick } from '../../../core/live-events.js';
import type { LiveServer } from './socket-server.js';

/**
 * Everything the waiting room pushes. Through the Redis adapter each emit reaches sockets on every
 * waiting-room process; room-wide messages go once per room, never once per waiting person.
 */
export class LiveBroadcaster {
  constructor(private readonly io: LiveServer) {}

  tick(tick: RoomTick): void {
    this.io.to(roomChannel(tick.roomId)).emit('room:tick', tick);
  }

  phase(roomId: number, phase: RoomPhase, paused: boolean): void {
    this.io.to(roomChannel(roomId)).emit('room:phase', { roomId, phase, paused });
  }

  message(roomId: number, message: string): void {
    this.io.to(roomChannel(roomId)).emit('room:message', { roomId, message, at: new Date().toISOString() });
  }

  admitted(
    userId: number,
    msg: { roomId: number; queueNumber: number; admissionToken: string; expiresAt: string },
  ): void {
    this.io.to(userRoom(userId)).emit('admitted', msg);
  }

  revoked(userId: number, roomId: number): void {
    this.io.to(userRoom(userId)).emit('admission:revoked', { roomId });
  }
}
