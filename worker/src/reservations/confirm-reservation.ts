import type { Knex } from 'knex';
import { writeAudit } from '../../../core/audit.js';
import { retryOnLockConflict } from '../../../core/db-retry.js';
import type { ReservationChange } from '../../../core/live-publisher.js';
import { insertNotification } from '../../../core/notifications/notification-store.js';
import { reservationNotification } from '../../../core/notifications/reservation-notification.js';
import {
  lockReservation,
  reservationSeatLabels,
  type ReservationRow,
} from '../../../core/reservations/reservation-store.js';

export type ConfirmResult =
  | {
      kind: 'confirmed';
      reservation: ReservationRow;
      seats: string[];
      tickets: string[];
      /** For the pushes after the commit (the seats were already sold at payment: no seat change). */
      change: ReservationChange;
    }
  | { kind: 'not-paid'; status: ReservationRow['status'] | null };

/** A ticket reference per seat: stable, so confirming twice issues the same tickets. */
export const ticketRef = (r: Pick<ReservationRow, 'id' | 'event_id'>, label: string) =>
  `RL-${r.event_id}-${r.id}-${label}`;

/**
 * The work after payment: a `paid` reservation becomes `confirmed` with its tickets issued (audited).
 * Run by the `after-payment` job; any other status is left alone, so a redelivered job does nothing.
 */
export function confirmReservation(db: Knex, reservationId: number): Promise<ConfirmResult> {
  return retryOnLockConflict(() =>
    db.transaction(async (trx): Promise<ConfirmResult> => {
      const r = await lockReservation(trx, reservationId);
      if (!r || r.status !== 'paid') return { kind: 'not-paid', status: r?.status ?? null };
      const seats = await reservationSeatLabels(trx, r.id);
      const tickets = seats.map((l) => ticketRef(r, l));
      await trx('reservations').where({ id: r.id }).update({ status: 'confirmed' });
      await writeAudit(trx, {
        actorUserId: null,
        entity: 'reservation',
        entityId: r.id,
        action: 'confirm',
        before: { status: r.status },
        after: { status: 'confirmed', tickets },
        requestId: r.request_id,
      });
      const notification = await insertNotification(
        trx,
        reservationNotification(r, 'confirmed', seats, { tickets: tickets.join(', ') }),
        new Date(),
      );
      const reservation: ReservationRow = { ...r, status: 'confirmed' };
      return {
        kind: 'confirmed',
        reservation,
        seats,
        tickets,
        change: { reservation, seats, seatStatus: null, notification },
      };
    }),
  );
}
