import type { Redis } from '../../../../core/redis.js';
import type { RedisKeys } from '../../../../core/redis-keys.js';
import type { RoomRow } from './lookup-read-model.js';

/** A person's place in one waiting room, from the room's Redis hashes (waiting-room/src/queue/room-scripts.ts). */
export interface RoomPlace {
  room: { id: number; name: string; kind: RoomRow['kind']; state: RoomRow['state'] };
  /** `p<k>`: k-th to join before the opening (drawn number on the room's receipt); `q<j>`: j-th after. */
  ticket: string | null;
  joinedAt: string | null;
  admittedAt: string | null;
  admissionExpiresAt: string | null;
}

const isoMs = (v: string | null | undefined): string | null => {
  const ms = v ? Number(v) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
};

/**
 * Reads the person's fields of every room's `users`, `joined` and `admitted` hashes (a pipeline per
 * room, all at once), and keeps the rooms where they hold a place or sent a request. Read-only: it neither
 * opens nor loads a room. Redis forgets a room when it expires, so an old room shows MySQL's side only.
 */
export async function roomPlaces(
  redis: Redis,
  keys: RedisKeys,
  rooms: RoomRow[],
  userId: number,
  requestRoomIds: ReadonlySet<number>,
): Promise<RoomPlace[]> {
  if (rooms.length === 0) return [];
  // One pipeline per room: a room's keys share its hash tag, and on a Redis Cluster one pipeline must
  // keep to one shard; the rooms' pipelines run side by side.
  const perRoom = await Promise.all(
    rooms.map((room) =>
      redis
        .pipeline()
        .hget(keys.room(room.id, 'users'), String(userId))
        .hget(keys.room(room.id, 'joined'), String(userId))
        .hget(keys.room(room.id, 'admitted'), String(userId))
        .exec(),
    ),
  );
  const replies = perRoom.flatMap((r) => r ?? [null, null, null]);
  const value = (i: number): string | null => {
    const reply = replies[i];
    if (!reply) return null;
    const [err, v] = reply;
    if (err) throw err;
    return typeof v === 'string' ? v : null;
  };
  const places: RoomPlace[] = [];
  rooms.forEach((room, i) => {
    const ticket = value(3 * i);
    if (ticket === null && !requestRoomIds.has(room.id)) return;
    // '<admittedMs>:<expiresAtMs>', written by the admission tick.
    const [admittedMs, expiresMs] = (value(3 * i + 2) ?? '').split(':');
    places.push({
      room: { id: room.id, name: room.name, kind: room.kind, state: room.state },
      ticket,
      joinedAt: isoMs(value(3 * i + 1)),
      admittedAt: isoMs(admittedMs),
      admissionExpiresAt: isoMs(expiresMs),
    });
  });
  return places;
}
