import { api } from '../../api/http';
import type { AdmissionMode, RoomSummary } from '../../home/rooms-api';

export type { AdmissionMode, RoomSummary };
export type RoomAction = 'open' | 'close' | 'pause' | 'resume';

/** The waiting room's operator API (waiting-room/src/rooms/operator-routes.ts); staff only, each call audited. */
export const listRooms = () => api<{ rooms: RoomSummary[] }>('/rooms').then((r) => r.rooms);
export const getRoom = (id: number) => api<RoomSummary>(`/rooms/${id}`);

export const actOnRoom = (id: number, action: RoomAction) =>
  api<{ phase: string; paused: boolean }>(`/operator/rooms/${id}/actions/${action}`, { method: 'POST' });

export const editRoom = (
  id: number,
  patch: { admissionRatePerMin?: number; maxActive?: number; admissionMode?: AdmissionMode },
) => api<RoomSummary>(`/operator/rooms/${id}`, { method: 'PATCH', body: patch });

export const sendMessage = (id: number, message: string) =>
  api<{ roomId: number; message: string }>(`/operator/rooms/${id}/messages`, {
    method: 'POST',
    body: { message },
  });

export const revokeAdmission = (id: number, userId: number) =>
  api<{ revoked: boolean; jti: string | null }>(`/operator/rooms/${id}/revocations`, {
    method: 'POST',
    body: { userId },
  });

/** POST /operator/rooms: a registration window's waiting room (operator-service.ts RoomDefinition). */
export interface NewRegistrationRoom {
  slug: string;
  name: string;
  registrationWindowId: number;
  admissionRatePerMin: number;
  maxActive: number;
  prequeueOpensAt: string;
  opensAt: string;
  closesAt: string | null;
}
export const createRegistrationRoom = (room: NewRegistrationRoom) =>
  api<RoomSummary>('/operator/rooms', { method: 'POST', body: { kind: 'registration', ...room } });
