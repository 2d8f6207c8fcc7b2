import type { Knex } from 'knex';
import type { PaymentStatus } from '../views/reservation-view.js';

/**
 * The payment rows of reservations: one per payment attempt, keyed by the provider's idempotency key.
 * Lock a payment only after its reservation (reservation-store.ts gives the order).
 */
export interface PaymentRow {
  id: number;
  reservation_id: number;
  amount_cents: number;
  currency: string;
  status: PaymentStatus;
  provider: string;
  provider_ref: string | null;
  idempotency_key: string;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export type NewPayment = Pick<
  PaymentRow,
  'reservation_id' | 'amount_cents' | 'currency' | 'status' | 'provider' | 'idempotency_key'
>;

export const lockPayment = (trx: Knex.Transaction, id: number): Promise<PaymentRow | undefined> =>
  trx<PaymentRow>('payments').where({ id }).first().forUpdate();

export const findPayment = (db: Knex, id: number): Promise<PaymentRow | undefined> =>
  db<PaymentRow>('payments').where({ id }).first();

/** The reservation a payment belongs to, which never changes: safe to read before taking locks. */
export async function reservationIdOfPayment(db: Knex, paymentId: number): Promise<number | undefined> {
  const row = await db<PaymentRow>('payments').where({ id: paymentId }).first('reservation_id');
  return row?.reservation_id;
}

export const paymentByKey = (db: Knex, idempotencyKey: string): Promise<PaymentRow | undefined> =>
  db<PaymentRow>('payments').where({ idempotency_key: idempotencyKey }).first();

/** The id of one of a reservation's payments in `status`, if it has any. */
export async function paymentIdIn(
  db: Knex,
  reservationId: number,
  status: PaymentStatus,
): Promise<number | undefined> {
  const row = await db<PaymentRow>('payments').where({ reservation_id: reservationId, status }).first('id');
  return row?.id;
}

export async function insertPayment(db: Knex, row: NewPayment): Promise<number> {
  const [id] = await db('payments').insert(row);
  if (id === undefined) throw new Error('payment insert returned no id');
  return id;
}

export async function updatePayment(
  db: Knex,
  id: number,
  changes: Partial<Pick<PaymentRow, 'status' | 'provider_ref' | 'failure_reason'>>,
): Promise<void> {
  await db('payments').where({ id }).update(changes);
}
