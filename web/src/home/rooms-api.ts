import type { RoomKind } from '../../../core/rooms/room-kind';
import type { RoomState } from '../../../core/rooms/room-phase';
import { api } from '../api/http';

/** A waiting room as GET /rooms lists it (waiting-room/src/rooms/room-store.ts's RoomSummary). */
export interface RoomSummary {
  id: number;
  slug: string;
  name: string;
  kind: RoomKind;
  eventId: number | null;
  registrationWindowId: number | null;
  state: RoomState;
  prequeueOpensAt: string;
  opensAt: string;
  closesAt: string | null;
  admissionRatePerMin: number;
  admissionMode: AdmissionMode;
  /** GET /rooms and /rooms/:id only: nothing left to admit to, nobody is admitted (ADR 013). */
  soldOut?: boolean;
}

/** Adaptive: the rate is a ceiling the pace follows the commit pipeline under; fixed: the rate (ADR 012). */
export type AdmissionMode = 'adaptive' | 'fixed';

export const listRooms = () => api<{ rooms: RoomSummary[] }>('/rooms', { auth: false }).then((r) => r.rooms);
export const getRoom = (id: number) => api<RoomSummary>(`/rooms/${id}`, { auth: false });

/** The waiting room's own page: the one page built for the full rush (served by the waiting room). */
export const roomPageUrl = (roomId: number) => `/rooms/${roomId}/`;
