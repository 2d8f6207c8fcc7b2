import type { RequestView } from '../../../core/views/request-view';
import { admissionHeaders, type Admission } from '../admission/admission';
import { api, newIdempotencyKey } from '../api/http';

export type ReserveBody =
  { eventId: number; seatLabels: string[] } | { eventId: number; zone: string; count: number };

/**
 * A reservation request not yet answered. Its Idempotency-Key is kept in sessionStorage until the
 * outcome arrives, so a reload (or a retry after a network error) sends the same request again and the
 * server answers with the first one, never a second hold.
 */
export interface PendingReserve {
  key: string;
  body: ReserveBody;
}

const storageKey = (eventId: number) => `rushline.reserve.${eventId}`;

export function loadPending(eventId: number): PendingReserve | null {
  try {
    const p = JSON.parse(sessionStorage.getItem(storageKey(eventId)) ?? 'null') as PendingReserve | null;
    return p && typeof p.key === 'string' && p.body?.eventId === eventId ? p : null;
  } catch {
    return null;
  }
}

export function newPending(body: ReserveBody): PendingReserve {
  const p = { key: newIdempotencyKey(), body };
  sessionStorage.setItem(storageKey(body.eventId), JSON.stringify(p));
  return p;
}

export function clearPending(eventId: number): void {
  sessionStorage.removeItem(storageKey(eventId));
}

export interface Submitted {
  requestId: number;
  request: RequestView;
}

export function sendReservation(p: PendingReserve, admission: Admission | null): Promise<Submitted> {
  return api<Submitted>('/api/reservations', {
    method: 'POST',
    body: p.body,
    headers: { 'idempotency-key': p.key, ...(admission ? admissionHeaders(admission) : {}) },
  });
}

export const getRequest = (id: number) => api<RequestView>(`/api/requests/${id}`);

/** What a committed reservation request's outcome carries (worker/src/reservations/reservation-committer.ts). */
export interface HeldDetails {
  reservationId?: number;
  seats?: string[];
  amountCents?: number;
  holdExpiresAt?: string;
}
