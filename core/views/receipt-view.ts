import type { RoomKind } from '../rooms/room-kind.js';
import type { RequestView } from './request-view.js';

/**
 * "What happened to me" in one waiting room: the fairness proof a person can check. Served by the waiting
 * room (GET /rooms/:roomId/receipt), which owns the room's state. Types only, shared with the web app.
 */
export interface RoomReceiptView {
  room: {
    id: number;
    name: string;
    kind: RoomKind;
    eventId: number | null;
    termId: number | null;
    opensAt: string;
    /** When the room actually opened (the draw happened), if it has. */
    openedAt: string | null;
  };
  draw: {
    /** The seed drawn at the opening (also in waiting_rooms.shuffle_seed); null before the opening. */
    seed: string | null;
    /** How many joined before the opening and so took part in the draw. */
    prequeueSize: number | null;
    /** How a number follows from the seed, in words, so anyone can recompute it (docs/adr/004). */
    method: string;
  };
  you: {
    joinedAt: string | null;
    /** Joined before the opening: their number was drawn; otherwise it is their arrival order. */
    inDraw: boolean;
    /** Their order of joining the pre-queue (k in docs/adr/004), when inDraw. */
    joinOrder: number | null;
    queueNumber: number | null;
    admittedAt: string | null;
    admissionExpiresAt: string | null;
  };
  requests: RequestView[];
}
