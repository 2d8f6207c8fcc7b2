import type { Knex } from 'knex';
import type { Config } from '../../core/config.js';
import { reservationHeaders, waitForOutcomes, type SaleFixture } from './event-fixture.js';

/**
 * Holds chosen seats for a user through the whole path (api → commit queue → a worker process) and
 * returns the request and the reservation it made; fails unless the outcome is SEATS_HELD.
 */
export async function holdSeats(
  api: string,
  cfg: Pick<Config, 'auth' | 'admission'>,
  db: Knex,
  sale: SaleFixture,
  userId: number,
  seatLabels: string[],
): Promise<{ requestId: number; reservationId: number }> {
  const res = await fetch(`${api}/api/reservations`, {
    method: 'POST',
    headers: reservationHeaders(cfg, userId, { roomId: sale.roomId }),
    body: JSON.stringify({ eventId: sale.eventId, seatLabels }),
  });
  if (res.status !== 202) throw new Error(`reservation answered ${res.status}: ${await res.text()}`);
  const { requestId } = (await res.json()) as { requestId: number };
  await waitForOutcomes(db, [requestId], 20_000);
  const row = await db('requests').where({ id: requestId }).first<{ outcome_code: string }>('outcome_code');
  if (row?.outcome_code !== 'SEATS_HELD') throw new Error(`request ${requestId}: ${row?.outcome_code}`);
  const r = await db('reservations').where({ request_id: requestId }).first<{ id: number } | undefined>('id');
  if (!r) throw new Error(`no reservation for request ${requestId}`);
  return { requestId, reservationId: r.id };
}
