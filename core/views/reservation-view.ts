/**
 * A reservation as its owner sees it (GET /api/reservations/:id, /api/me/reservations and the web app):
 * its seats (also released ones, marked), amount, hold and payments. Types only, shared with the web app.
 */
export type ReservationStatus = 'held' | 'paid' | 'confirmed' | 'cancelled' | 'expired';
export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'refunded';

export interface PaymentView {
  id: number;
  status: PaymentStatus;
  amountCents: number;
  currency: string;
  providerRef: string | null;
  failureReason: string | null;
  createdAt: string;
}

export interface ReservationView {
  id: number;
  eventId: number;
  eventTitle: string;
  status: ReservationStatus;
  seats: { label: string; zone: string; priceCents: number; live: boolean }[];
  amountCents: number;
  holdExpiresAt: string;
  paidAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
  requestId: number | null;
  payments: PaymentView[];
}
