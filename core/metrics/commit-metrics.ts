import { Counter, Histogram } from 'prom-client';
import { metricsRegistry, recording } from './registry.js';

const registers = [metricsRegistry];

/** What a commit is: a registration room's requests are enrollments, a sale's reservations. */
export const COMMIT_KINDS = ['enrollment', 'reservation'] as const;
export type CommitKind = (typeof COMMIT_KINDS)[number];

/** A counter in the registry, its label values given by the caller. */
const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
  new Counter({ name, help, labelNames, registers });

/**
 * A histogram by commit kind. Its series are zeroed for every kind here: a histogram's series exist only once
 * observed or zeroed, and dashboards should find every kind's from the start.
 */
function kindHistogram(name: string, help: string, buckets: number[]): Histogram<'kind'> {
  const histogram = new Histogram({ name, help, labelNames: ['kind'] as const, buckets, registers });
  for (const kind of COMMIT_KINDS) histogram.zero({ kind });
  return histogram;
}

const commits = counter(
  'rushline_commits_total',
  'Requests decided by the committers, by kind and outcome code',
  ['kind', 'outcome'],
);
const batchSize = kindHistogram(
  'rushline_commit_batch_size',
  'Requests per commit transaction',
  [1, 2, 5, 10, 20, 50, 100, 200, 500],
);
const batchDuration = kindHistogram(
  'rushline_commit_batch_duration_seconds',
  'One commit transaction, retries included',
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
);
const retries = counter(
  'rushline_commit_retries_total',
  'Commit transactions run again after a deadlock or a lock wait timeout',
  ['kind', 'reason'],
);
const submitToOutcome = kindHistogram(
  'rushline_submit_to_outcome_seconds',
  'From the api taking a request to its outcome being pushed to its owner',
  [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
);
const seatClaims = counter(
  'rushline_enrollment_seat_claims_total',
  'Enrollment batches by how they took their seats: claimed last, locked first, or a late claim that failed and ran locked',
  ['path'],
);
const payments = counter('rushline_payments_total', 'Payment attempts settled, by result', ['result']);

export const RETRY_REASONS = {
  ER_LOCK_DEADLOCK: 'deadlock',
  ER_LOCK_WAIT_TIMEOUT: 'lock_wait_timeout',
} as const;
/** How a charge settled (core/reservations/payment-settlement.ts): `pending` until the provider answers. */
export const PAYMENT_RESULTS = ['paid', 'declined', 'refunded', 'pending'] as const;
export type PaymentResult = (typeof PAYMENT_RESULTS)[number];
/** How an enrollment batch took its seats (worker/src/enrollments/enrollment-committer.ts, ADR 030). */
export const SEAT_CLAIM_PATHS = ['late', 'locked', 'late_retried'] as const;
export type SeatClaimPath = (typeof SEAT_CLAIM_PATHS)[number];

/** Each kind's success code and the code of a request its job gave up on. */
const KNOWN_OUTCOMES: Record<CommitKind, readonly string[]> = {
  enrollment: ['ENROLLED', 'COMMIT_FAILED'],
  reservation: ['SEATS_HELD', 'COMMIT_FAILED'],
};
// The bounded label sets known up front exist from the start at 0, so dashboards find every family.
for (const kind of COMMIT_KINDS) {
  for (const reason of Object.values(RETRY_REASONS)) retries.labels(kind, reason).inc(0);
  for (const outcome of KNOWN_OUTCOMES[kind]) commits.labels(kind, outcome).inc(0);
}
for (const result of PAYMENT_RESULTS) payments.labels(result).inc(0);
for (const path of SEAT_CLAIM_PATHS) seatClaims.labels(path).inc(0);

export function countCommitOutcome(kind: CommitKind, outcome: string): void {
  if (!recording.on) return;
  commits.labels(kind, outcome).inc();
}

export function countSeatClaim(path: SeatClaimPath): void {
  if (!recording.on) return;
  seatClaims.labels(path).inc();
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
