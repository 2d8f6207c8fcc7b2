import type { Knex } from 'knex';
import type { Logger } from '../../../core/logger.js';
import type { FleetClaim } from '../../../core/process/fleet-claim.js';
import { PeriodicTask } from '../../../core/process/periodic-task.js';
import type { AfterPaymentQueue } from '../../../core/reservations/after-payment-queue.js';
import { expireHold } from './hold-expiry.js';
import type { PaymentReconciler } from './payment-reconciler.js';
import type { ReservationNotifier } from './reservation-notifier.js';

export interface ReservationSweepStats {
  sweeps: number;
  expired: number;
  paymentsSettled: number;
  refunded: number;
  confirmationsEnqueued: number;
}

/**
 * The safety net under the reservation jobs, run periodically in every worker (safe in any number):
 * - holds still `held` a grace period after `hold_expires_at` (their expiry job was never enqueued:
 *   the worker died between the commit and the enqueue) are expired with the same function as the job;
 * - pending payments and money owed back are reconciled with the provider (payment-reconciler.ts);
 * - reservations still `paid` a while after payment get their after-payment job again.
 */
export class ReservationSweeper {
  private readonly task: PeriodicTask;
  readonly stats: ReservationSweepStats = {
    sweeps: 0,
    expired: 0,
    paymentsSettled: 0,
    refunded: 0,
    confirmationsEnqueued: 0,
  };

  constructor(
    private readonly deps: {
      db: Knex;
      reconciler: PaymentReconciler;
      notifier: ReservationNotifier;
      afterPayment: Pick<AfterPaymentQueue, 'ensure'>;
      logger: Logger;
    },
    private readonly opts: {
      everyMs: number;
      expiryGraceMs: number;
      confirmGraceMs: number;
      claim?: FleetClaim;
    },
  ) {
    this.task = new PeriodicTask(
      'reservation sweep',
      () => this.sweep(),
      opts.everyMs,
      deps.logger,
      opts.claim,
    );
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  async sweep(now = new Date()): Promise<void> {
    this.stats.sweeps++;
    const overdue = await this.deps
      .db('reservations')
      .where('status', 'held')
      .andWhere('hold_expires_at', '<', new Date(now.getTime() - this.opts.expiryGraceMs))
      .orderBy('hold_expires_at')
      .limit(500)
      .pluck<number[]>('id');
    for (const id of overdue) {
      const result = await expireHold(this.deps.db, id, now);
      if (result.kind !== 'expired') continue;
      this.stats.expired++;
      await this.deps.notifier.notify(result.change);
      this.deps.logger.info({ reservationId: id }, 'sweep: expired a hold its job had not released');
    }

    const paid = await this.deps.reconciler.sweep(now);
    this.stats.paymentsSettled += paid.settled;
    this.stats.refunded += paid.refunded;

    const unconfirmed = await this.deps
      .db('reservations')
      .where('status', 'paid')
      .andWhere('paid_at', '<', new Date(now.getTime() - this.opts.confirmGraceMs))
      .orderBy('id')
      .limit(500)
      .pluck<number[]>('id');
    for (const id of unconfirmed) {
      if ((await this.deps.afterPayment.ensure(id)) !== 'present') this.stats.confirmationsEnqueued++;
    }
  }
}
