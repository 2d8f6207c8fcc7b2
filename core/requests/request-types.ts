import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The contract between the api (which records and enqueues requests) and the worker (which commits
 * them). The request row in MySQL is the durable record; the BullMQ job carries only its id.
 */
export type RequestKind = 'enrollment' | 'reservation';
export type RequestStatus = 'queued' | 'committed' | 'rejected' | 'failed';

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
}

/** Jobs written before groups carried one id; a queue may still hold some after an upgrade. */
export const requestIdsOf = (data: CommitJobData | { requestId: number }): number[] =>
  'requestIds' in data ? data.requestIds : [data.requestId];

/** A new group's job id: unique across api processes, known before its rows are written. */
export const newCommitJobId = (): string => `c-${randomUUID()}`;

/** One part of an outcome, e.g. one section of a cart. */
export interface OutcomeItem {
  sectionId?: number;
  seatLabel?: string;
  status: 'committed' | 'rejected';
  code: string;
  message: string;
  enrollmentId?: number;
}

export interface RequestOutcome {
  status: Exclude<RequestStatus, 'queued'>;
  code: string;
  message: string;
  /** Per-item results and anything the client needs to act on (taken seats, the reservation id…). */
  details?: { items?: OutcomeItem[]; [key: string]: unknown };
}

/** A request as its owner sees it, in the api and in `request:update` pushes. */
export interface RequestView {
  id: number;
  kind: RequestKind;
  status: RequestStatus;
  roomId: number | null;
  payload: unknown;
  outcome: { code: string; message: string; details: RequestOutcome['details'] | null } | null;
  createdAt: string;
  completedAt: string | null;
}
