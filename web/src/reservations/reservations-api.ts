import type { PaymentView, ReservationView } from '../../../core/views/reservation-view';
import { api, newIdempotencyKey } from '../api/http';

export type { PaymentView, ReservationStatus, ReservationView } from '../../../core/views/reservation-view';

export const getReservation = (id: number) => api<ReservationView>(`/api/reservations/${id}`);

export const listMyReservations = (next?: string) =>
  api<{ reservations: ReservationView[]; next: string | null }>(`/api/me/reservations${next ?? ''}`);

/** 200: paid; 202: the provider's answer is not known yet (the reservation stays held meanwhile). */
export const payReservation = (id: number, paymentMethod: string, key: string) =>
  api<{ reservation: ReservationView; payment: PaymentView | null }>(`/api/reservations/${id}/pay`, {
    method: 'POST',
    body: { paymentMethod },
    headers: { 'idempotency-key': key },
  });

export const cancelReservation = (id: number) =>
  api<{ reservation: ReservationView; refund: 'none' | 'refunded' | 'pending' }>(`/api/reservations/${id}`, {
    method: 'DELETE',
  });

/**
 * One payment attempt's Idempotency-Key, kept until its answer: a reload or a retry after a network error
 * repeats the same attempt (the provider charges once), while a new attempt (another card) gets a new key.
 */
export interface PendingPayment {
  key: string;
  paymentMethod: string;
}
const payKey = (id: number) => `rushline.pay.${id}`;

export function loadPendingPayment(id: number): PendingPayment | null {
  try {
    const p = JSON.parse(sessionStorage.getItem(payKey(id)) ?? 'null') as PendingPayment | null;
    return p && typeof p.key === 'string' && typeof p.paymentMethod === 'string' ? p : null;
  } catch {
    return null;
  }
}

export function newPendingPayment(id: number, paymentMethod: string): PendingPayment {
  const p = { key: newIdempotencyKey(), paymentMethod };
  sessionStorage.setItem(payKey(id), JSON.stringify(p));
  return p;
}

export function clearPendingPayment(id: number): void {
  sessionStorage.removeItem(payKey(id));
}
