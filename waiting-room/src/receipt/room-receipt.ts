import type { Knex } from 'knex';
import { NotFoundError } from '../../../core/errors.js';
import { toRequestView } from '../../../core/requests/request-store.js';
import type { RoomReceiptView } from '../../../core/views/receipt-view.js';
import { queueNumberOf, type RoomQueue } from '../queue/room-queue.js';
import { findReceiptRoom, listRoomRequests } from './receipt-read-model.js';

export const DRAW_METHOD =
  'Everyone who joined before the opening has a join order k (1 = first to join). At the opening one ' +
  'random 32-bit seed was drawn and the pre-queue size P frozen; the queue number of join order k is ' +
  'permute(k − 1, P, seed) + 1, where permute is the seeded four-round Feistel permutation described in ' +
  'docs/adr/004-prequeue-permutation.md (waiting-room/src/queue/permutation.ts), so anyone can recompute ' +
  'every number from the seed. Those who joined after the opening are numbered P + their order of arrival.';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * "What happened to me" in one room: the room's draw (seed and pre-queue size, recorded at the opening)
 * and the caller's own record (when they joined, their join order and drawn number, when they were let
 * in and until when), with every request they sent through the room. Read-only: it neither opens the
 * room nor loads it into Redis; what Redis no longer has is null.
 */
export async function roomReceipt(
  deps: { db: Knex; queue: RoomQueue },
  roomId: number,
  userId: number,
): Promise<RoomReceiptView> {
  const room = await findReceiptRoom(deps.db, roomId);
  if (!room) throw new NotFoundError('ROOM_NOT_FOUND', `No waiting room ${roomId}`);
  const [raw, requests] = await Promise.all([
    deps.queue.receipt(roomId, userId),
    listRoomRequests(deps.db, userId, roomId),
  ]);
  const opened = raw?.seed !== null && raw?.seed !== undefined;
  const ticket = raw?.ticket ?? null;
  const inDraw = ticket?.startsWith('p') ?? false;
  return {
    room: {
      id: room.id,
      name: room.name,
      kind: room.kind,
      eventId: room.event_id,
      termId: room.term_id,
      opensAt: room.opens_at.toISOString(),
      openedAt: iso(raw?.openedAtMs ?? null),
    },
    draw: {
      // MySQL's copy is the audited one; Redis has it first, until the leader records it.
      seed: room.shuffle_seed ?? (opened ? String(raw.seed) : null),
      prequeueSize: opened ? raw.pre : null,
      method: DRAW_METHOD,
    },
    you: {
      joinedAt: iso(raw?.joinedAtMs ?? null),
      inDraw,
      joinOrder: inDraw && ticket ? Number(ticket.slice(1)) : null,
      queueNumber: raw && ticket ? queueNumberOf(ticket, raw.pre, raw.seed) : null,
      admittedAt: iso(raw?.admittedAtMs ?? null),
      admissionExpiresAt: iso(raw?.admissionExpiresAtMs ?? null),
    },
    requests: requests.map(toRequestView),
  };
}
