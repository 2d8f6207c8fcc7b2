import { PaymentProviderError } from '../../../core/payments/payment-provider.js';
import {
  recordDecline,
  refundPayment,
  settleCharge,
  type Settlement,
  type SettlementDeps,
} from '../../../core/reservations/payment-settlement.js';
import type { PaymentRow } from '../../../core/reservations/payment-store.js';

export interface ReconcileStats {
  settled: number;
  refunded: number;
  unreachable: number;
}

/**
 * Finishes payments the api could not: a crash (or a lost answer) between the charge and its record
 * leaves a payment `pending`, so pending payments older than a grace period are settled by asking the
 * provider what happened to their charge (`lookup` by the same idempotency key). And money held without
 * seats (a succeeded payment on a reservation cancelled or expired, whose refund did not get through,
 * or a charge that arrived after its payment was given up) is refunded. Every step is idempotent and
 * locks the reservation, so any number of workers may run this at once.
 */
export class PaymentReconciler {
  constructor(
    private readonly deps: SettlementDeps,
    private readonly opts: { graceMs: number; batch?: number },
  ) {}

  async sweep(now = new Date()): Promise<ReconcileStats> {
    const stats: ReconcileStats = { settled: 0, refunded: 0, unreachable: 0 };
    const cutoff = new Date(now.getTime() - this.opts.graceMs);
    const limit = this.opts.batch ?? 200;
    const pending = await this.deps
      .db<PaymentRow>('payments')
      .where('status', 'pending')
      .andWhere('created_at', '<', cutoff)
      .orderBy('id')
      .limit(limit);
    for (const p of pending) {
      const s = await this.reconcile(p);
      if (s === 'unreachable') stats.unreachable++;
      else if (s.kind === 'refunded') stats.refunded++;
      else if (s.kind !== 'pending') stats.settled++;
    }
    const owed = await this.deps
      .db('payments as p')
      .join('reservations as r', 'r.id', 'p.reservation_id')
      .where((q) =>
        q
          .where((a) => a.where('p.status', 'succeeded').whereIn('r.status', ['cancelled', 'expired']))
          .orWhere((b) => b.where('p.status', 'failed').whereNotNull('p.provider_ref')),
      )
      .andWhere('p.updated_at', '<', cutoff)
      .orderBy('p.id')
      .limit(limit)
      .pluck<number[]>('p.id');
    for (const id of owed) {
      const s = await refundPayment(this.deps, id, 'RESERVATION_ENDED: refunded by reconciliation');
      if (s.kind === 'refunded') stats.refunded++;
      else stats.unreachable++;
    }
    return stats;
  }

  /** Settles one pending payment from the provider's record of its charge. */
  async reconcile(p: PaymentRow): Promise<Settlement | 'unreachable'> {
    let record;
    try {
      record = await this.deps.provider.lookup(p.idempotency_key);
    } catch (err) {
      if (!(err instanceof PaymentProviderError)) throw err;
      this.deps.logger.warn({ err, paymentId: p.id }, 'reconciliation: provider unreachable');
      return 'unreachable';
    }
    this.deps.logger.info({ paymentId: p.id, provider: record?.status ?? 'none' }, 'reconciling a payment');
    if (!record) {
      return recordDecline(this.deps.db, p.id, 'NOT_CHARGED: the provider has no record of this charge');
    }
    if (record.status === 'declined') {
      return settleCharge(this.deps, p.id, { status: 'declined', reason: record.reason ?? 'declined' });
    }
    if (!record.providerRef) throw new Error(`provider record of payment ${p.id} has no reference`);
    if (record.status === 'succeeded') {
      return settleCharge(this.deps, p.id, { status: 'succeeded', providerRef: record.providerRef });
    }
    // Already refunded at the provider: no seats for it; record the refund (the provider's answer is replayed).
    await this.deps
      .db('payments')
      .where({ id: p.id, status: 'pending' })
      .update({ provider_ref: record.providerRef });
    return refundPayment(this.deps, p.id, 'REFUNDED: found refunded at the provider');
  }
}
