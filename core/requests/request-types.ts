import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The contract between the api (which records and enqueues requests) and the worker (which commits
 * them). The request row in MySQL is the durable record; the BullMQ job carries only its id.
 */
export type {
  OutcomeItem,
  RequestKind,
  RequestOutcome,
  RequestStatus,
  RequestView,
} from '../views/request-view.js';

export const enrollmentPayload = z.object({
  sectionIds: z.array(z.number().int().positive()).min(1).max(10),
});
export type EnrollmentPayload = z.infer<typeof enrollmentPayload>;

export const reservationPayload = z.union([
  z.object({
    eventId: z.number().int().positive(),
    seatLabels: z.array(z.string().min(1).max(16)).min(1).max(10),
  }),
  z.object({
    eventId: z.number().int().positive(),
    zone: z.string().min(1).max(32),
    count: z.number().int().min(1).max(10),
  }),
]);
export type ReservationPayload = z.infer<typeof reservationPayload>;

/**
 * What a BullMQ commit job carries: the ids of the request rows it commits. Submissions that arrive
 * together share one job (docs/adr/008); each row names its job in `commit_job_id`, written with it.
 */
export interface CommitJobData {
  requestIds: number[];
  /**
   * The HTTP request ids (X-Request-Id) that submitted them, in the same order, so one request can be
   * followed from the api's access line through the worker's log to the push (ADR 016). Absent in jobs the
   * outbox sweeper rewrites (the id lives only in the api's memory) and in older jobs.
   */
  reqIds?: string[];
}

/** Jobs written before groups carried one id; a queue may still hold some after an upgrade. */
export const requestIdsOf = (data: CommitJobData | { requestId: number }): number[] =>
  'requestIds' in data ? data.requestIds : [data.requestId];

/** A new group's job id: unique across api processes, known before its rows are written. */
export const newCommitJobId = (): string => `c-${randomUUID()}`;
