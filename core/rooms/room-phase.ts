/**
 * Where a waiting room is in its life, as its Redis state holds it (waiting-room/src/queue/room-scripts.ts):
 * idle until the pre-queue opens, then prequeue, open from the draw, closed at the end. Pausing is a flag
 * beside the phase, not a phase of its own.
 */
export const ROOM_PHASES = ['idle', 'prequeue', 'open', 'closed'] as const;
export type RoomPhase = (typeof ROOM_PHASES)[number];

export const isRoomPhase = (value: string): value is RoomPhase =>
  (ROOM_PHASES as readonly string[]).includes(value);

/**
 * The room's state as MySQL keeps it (waiting_rooms.state) and GET /rooms lists it: the phase, with a
 * pause shown in place of the phase it pauses.
 */
export type RoomState = RoomPhase | 'paused';
