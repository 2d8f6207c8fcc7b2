import type { Knex } from 'knex';
import type { RequestRow } from '../../../core/requests/request-store.js';
import type { RoomKind } from '../../../core/rooms/room-kind.js';

export interface ReceiptRoomRow {
  id: number;
  name: string;
  kind: RoomKind;
  event_id: number | null;
  /** The term of the registration window a registration room fronts. */
  term_id: number | null;
  opens_at: Date;
  shuffle_seed: string | null;
}

export const findReceiptRoom = (db: Knex, roomId: number): Promise<ReceiptRoomRow | undefined> =>
  db('waiting_rooms as w')
    .leftJoin('registration_windows as rw', 'rw.id', 'w.registration_window_id')
    .where('w.id', roomId)
    .first<ReceiptRoomRow | undefined>(
      'w.id',
      'w.name',
      'w.kind',
      'w.event_id',
      'rw.term_id',
      'w.opens_at',
      'w.shuffle_seed',
    );

/** A person submits a handful of requests through one room; this bounds a client gone wrong. */
const MAX_REQUESTS = 200;

/** The person's requests that came through the room, oldest first (served by the (user_id, …) index). */
export const listRoomRequests = (db: Knex, userId: number, roomId: number): Promise<RequestRow[]> =>
  db<RequestRow>('requests').where({ user_id: userId, room_id: roomId }).orderBy('id').limit(MAX_REQUESTS);
