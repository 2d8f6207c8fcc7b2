import { Counter, Histogram } from 'prom-client';
import { metricsRegistry, recording } from './registry.js';

const registers = [metricsRegistry];

/** What a commit is: a registration room's requests are enrollments, a sale's reservations. */
export const COMMIT_KINDS = ['enrollment', 'reservation'] as const;
export type CommitKind = (typeof COMMIT_KINDS)[number];

const commits = new Counter({
  name: 'rushline_commits_total',
  help: 'Requests decided by the committers, by kind and outcome code',
  labelNames: ['kind', 'outcome'] as const,
  registers,
});
const batchSize = new Histogram({
  name: 'rushline_commit_batch_size',
  help: 'Requests per commit transaction',
  labelNames: ['kind'] as const,
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
  registers,
});
const batchDuration = new Histogram({
  name: 'rushline_commit_batch_duration_seconds',
  help: 'One commit transaction, retries included',
  labelNames: ['kind'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers,
});
const retries = new Counter({
  name: 'rushline_commit_retries_total',
  help: 'Commit transactions run again after a deadlock or a lock wait timeout',
  labelNames: ['kind', 'reason'] as const,
  registers,
});
const submitToOutcome = new Histogram({
  name: 'rushline_submit_to_outcome_seconds',
  help: 'From the api taking a request to its outcome being pushed to its owner',
  labelNames: ['kind'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers,
});
const payments = new Counter({
  name: 'rushline_payments_total',
  help: 'Payment attempts settled, by result',
  labelNames: ['result'] as const,
  registers,
});

export const RETRY_REASONS = {
  ER_LOCK_DEADLOCK: 'deadlock',
  ER_LOCK_WAIT_TIMEOUT: 'lock_wait_timeout',
} as const;
/** How a charge settled (core/reservations/payment-settlement.ts): `pending` until the provider answers. */
export const PAYMENT_RESULTS = ['paid', 'declined', 'refunded', 'pending'] as const;
export type PaymentResult = (typeof PAYMENT_RESULTS)[number];

// The bounded label sets known up front exist from the start at 0, so dashboards find every family.
for (const kind of COMMIT_KINDS) {
  for (const reason of Object.values(RETRY_REASONS)) retries.labels(kind, reason).inc(0);
}
for (const result of PAYMENT_RESULTS) payments.labels(result).inc(0);
/** Each kind's success code and the code of a request its job gave up on. */
const KNOWN_OUTCOMES: Record<CommitKind, readonly string[]> = {
  enrollment: ['ENROLLED', 'COMMIT_FAILED'],
  reservation: ['SEATS_HELD', 'COMMIT_FAILED'],
};
for (const kind of COMMIT_KINDS) {
  for (const outcome of KNOWN_OUTCOMES[kind]) commits.labels(kind, outcome).inc(0);
  // A histogram's series exist only once observed or zeroed.
  batchSize.zero({ kind });
  batchDuration.zero({ kind });
  submitToOutcome.zero({ kind });
}

export function countCommitOutcome(kind: CommitKind, outcome: string): void {
  if (!recording.on) return;
  commits.labels(kind, outcome).inc();
}

export function observeBatch(kind: CommitKind, size: number, seconds: number): void {
  if (!recording.on) return;
  batchSize.labels(kind).observe(size);
  batchDuration.labels(kind).observe(seconds);
}

/** A transaction about to run again; `code` is MySQL's error code (only the retried ones are counted). */
export function countRetry(kind: CommitKind, code: string): void {
  if (!recording.on) return;
  const reason = RETRY_REASONS[code as keyof typeof RETRY_REASONS];
  if (reason) retries.labels(kind, reason).inc();
}

export function observeSubmitToOutcome(kind: CommitKind, seconds: number): void {
  if (!recording.on) return;
  submitToOutcome.labels(kind).observe(seconds);
}

export function countPayment(result: PaymentResult): void {
  if (!recording.on) return;
  payments.labels(result).inc();
}
