import type { ReservationRow } from '../reservations/reservation-store.js';
import type { NotificationView } from '../views/notification-views.js';
import type { NewNotification } from './notification-store.js';

/**
 * Reservation changes after the hold (the hold itself is told by its request's SEATS_HELD outcome,
 * which links the reservation, so a hold is one notification, not two).
 */
export type ReservationNotice = 'paid' | 'confirmed' | 'cancelled' | 'refunded' | 'expired';

export const RESERVATION_NOTICE_CODES: Record<ReservationNotice, string> = {
  paid: 'RESERVATION_PAID',
  confirmed: 'RESERVATION_CONFIRMED',
  cancelled: 'RESERVATION_CANCELLED',
  refunded: 'RESERVATION_REFUNDED',
  expired: 'RESERVATION_EXPIRED',
};

function messageOf(notice: ReservationNotice, seats: string): string {
  switch (notice) {
    case 'paid':
      return `Payment received for ${seats}; your tickets are being issued`;
    case 'confirmed':
      return `Booking confirmed: tickets issued for ${seats}`;
    case 'cancelled':
      return `Reservation cancelled; ${seats} released`;
    case 'refunded':
      return `Your payment for ${seats} was refunded`;
    case 'expired':
      return `Your hold on ${seats} ran out before payment; the seats were released`;
  }
}

export function reservationNotification(
  r: Pick<ReservationRow, 'id' | 'user_id' | 'event_id' | 'request_id' | 'amount_cents'>,
  notice: ReservationNotice,
  seats: readonly string[],
  extra: NotificationView['params'] = {},
): NewNotification {
  const list = seats.length > 0 ? seats.join(', ') : 'your seats';
  const link: NotificationView['link'] = { reservationId: r.id, eventId: r.event_id };
  if (r.request_id !== null) link.requestId = r.request_id;
  return {
    userId: r.user_id,
    kind: 'reservation',
    code: RESERVATION_NOTICE_CODES[notice],
    message: messageOf(notice, list),
    params: {
      reservationId: r.id,
      eventId: r.event_id,
      status: notice,
      seats: seats.join(', '),
      amountCents: r.amount_cents,
      ...extra,
    },
    link,
  };
}
