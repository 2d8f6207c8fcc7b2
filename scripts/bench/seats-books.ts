/** The `seats` books after a run: seats, reservations, payments, the ledger; each count must be 0. */
import { SimulatedPaymentProvider } from '../../core/payments/simulated-payment-provider.js';
import type { BenchEnv } from './bench-env.js';

const countOf = (rows: unknown): number => Number((rows as [{ n?: unknown }[]])[0][0]?.n ?? 0);

/**
 * The books after the run, each a count that must be 0: seats in two live reservations, seat status
 * against the reservation owning it, money against seats, and what the users were told against the rows.
 */
export async function checkBooks(
  env: BenchEnv,
  eventId: number,
  expectations: [number, string][],
): Promise<Record<string, number>> {
  const db = env.db;
  const live = `('held', 'paid', 'confirmed')`;
  const [twoLive, liveReleased, deadLive, soldWrong, heldWrong, freeWrong, notSold] = await Promise.all([
    db.raw(
      `SELECT COUNT(*) AS n FROM (SELECT rs.seat_id FROM reservation_seats rs
       JOIN reservations r ON r.id = rs.reservation_id
       WHERE r.event_id = ? AND r.status IN ${live} GROUP BY rs.seat_id HAVING COUNT(*) > 1) x`,
      [eventId],
    ),
    db.raw(
      `SELECT COUNT(*) AS n FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
       WHERE r.event_id = ? AND r.status IN ${live} AND (rs.live_seat_id IS NULL OR rs.released_at IS NOT NULL)`,
      [eventId],
    ),
    db.raw(
      `SELECT COUNT(*) AS n FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
       WHERE r.event_id = ? AND r.status NOT IN ${live} AND (rs.live_seat_id IS NOT NULL OR rs.released_at IS NULL)`,
      [eventId],
    ),
    // A sold seat belongs to a live paid or confirmed reservation, and to nothing else.
    db.raw(
      `SELECT COUNT(*) AS n FROM seats s WHERE s.event_id = ? AND s.status = 'sold' AND NOT EXISTS (
         SELECT 1 FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
         WHERE rs.live_seat_id = s.id AND r.status IN ('paid', 'confirmed'))`,
      [eventId],
    ),
    db.raw(
      `SELECT COUNT(*) AS n FROM seats s WHERE s.event_id = ? AND s.status = 'held' AND NOT EXISTS (
         SELECT 1 FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
         WHERE rs.live_seat_id = s.id AND r.status = 'held' AND r.user_id = s.holder_user_id)`,
      [eventId],
    ),
    db.raw(
      `SELECT COUNT(*) AS n FROM seats s WHERE s.event_id = ? AND s.status = 'free'
       AND (s.holder_user_id IS NOT NULL OR EXISTS (SELECT 1 FROM reservation_seats rs WHERE rs.live_seat_id = s.id))`,
      [eventId],
    ),
    db.raw(
      `SELECT COUNT(*) AS n FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
       JOIN seats s ON s.id = rs.seat_id
       WHERE r.event_id = ? AND r.status IN ('paid', 'confirmed') AND s.status <> 'sold'`,
      [eventId],
    ),
  ]);
  // Money: a succeeded payment means a sale, a sale has exactly one succeeded payment of its amount.
  const [succeededNoSale, saleNoPayment, amountWrong, failedWithRef] = await Promise.all([
    db.raw(
      `SELECT COUNT(*) AS n FROM payments p JOIN reservations r ON r.id = p.reservation_id
       WHERE r.event_id = ? AND p.status = 'succeeded' AND r.status NOT IN ('paid', 'confirmed')`,
      [eventId],
    ),
    db.raw(
      `SELECT COUNT(*) AS n FROM reservations r WHERE r.event_id = ? AND r.status IN ('paid', 'confirmed')
       AND (SELECT COUNT(*) FROM payments p WHERE p.reservation_id = r.id AND p.status = 'succeeded') <> 1`,
      [eventId],
    ),
    db.raw(
      `SELECT COUNT(*) AS n FROM reservations r WHERE r.event_id = ? AND (
         r.amount_cents <> (SELECT SUM(rs.price_cents) FROM reservation_seats rs WHERE rs.reservation_id = r.id)
         OR EXISTS (SELECT 1 FROM payments p WHERE p.reservation_id = r.id AND p.amount_cents <> r.amount_cents))`,
      [eventId],
    ),
    db.raw(
      `SELECT COUNT(*) AS n FROM payments p JOIN reservations r ON r.id = p.reservation_id
       WHERE r.event_id = ? AND p.status = 'failed' AND p.provider_ref IS NOT NULL`,
      [eventId],
    ),
  ]);

  // The provider's side: a declined card moved no money, and what it kept is what was sold.
  const provider = new SimulatedPaymentProvider(env.redis, env.cfg.redis.prefix, { failRate: 0, delayMs: 0 });
  const failed = await db('payments as p')
    .join('reservations as r', 'r.id', 'p.reservation_id')
    .where({ 'r.event_id': eventId, 'p.status': 'failed' })
    .pluck<string[]>('p.idempotency_key');
  let moneyForDeclined = 0;
  for (const key of failed) {
    const record = await provider.lookup(key);
    if (record && record.status !== 'declined') moneyForDeclined++;
  }
  const ledger = await provider.ledger();
  const [kept] = await db('payments as p')
    .join('reservations as r', 'r.id', 'p.reservation_id')
    .where({ 'r.event_id': eventId, 'p.status': 'succeeded' })
    .select<{ cents: number | null }[]>(db.raw('SUM(p.amount_cents) AS cents'));
  const ledgerMismatchCents = Math.abs(
    ledger.capturedCents - ledger.refundedCents - Number(kept?.cents ?? 0),
  );

  // What each user was told (paid, declined, cancelled, too late, nothing) against where it ended.
  const statusOf = new Map<number, string>();
  for (let i = 0; i < expectations.length; i += 1_000) {
    const rows = await db('reservations')
      .whereIn(
        'id',
        expectations.slice(i, i + 1_000).map(([id]) => id),
      )
      .select<{ id: number; status: string }[]>('id', 'status');
    for (const r of rows) statusOf.set(r.id, r.status);
  }
  const stateMismatches = expectations.filter(([id, want]) => statusOf.get(id) !== want).length;
  const [untold] = await db('reservations')
    .where({ event_id: eventId })
    .whereNotIn('id', expectations.length > 0 ? expectations.map(([id]) => id) : [0])
    .count<{ n: number }[]>('* as n');

  return {
    seat_in_two_live_reservations: countOf(twoLive),
    live_reservation_with_released_seat: countOf(liveReleased),
    ended_reservation_with_live_seat: countOf(deadLive),
    sold_seat_not_paid: countOf(soldWrong),
    held_seat_not_held_by_its_holder: countOf(heldWrong),
    free_seat_still_owned: countOf(freeWrong),
    paid_seat_not_sold: countOf(notSold),
    succeeded_payment_without_sale: countOf(succeededNoSale),
    sale_without_one_succeeded_payment: countOf(saleNoPayment),
    amount_mismatches: countOf(amountWrong),
    declined_payment_with_charge_ref: countOf(failedWithRef),
    money_taken_for_declined: moneyForDeclined,
    ledger_mismatch_cents: ledgerMismatchCents,
    state_mismatches: stateMismatches,
    reservations_no_user_heard_of: Number(untold?.n ?? 0),
  };
}
