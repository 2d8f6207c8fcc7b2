/**
 * A request and its outcome as its owner sees them: in the api, in `request:update` pushes and in the web
 * app. Types only, so the web app imports them with `import type`.
 */
export type RequestKind = 'enrollment' | 'reservation';
export type RequestStatus = 'queued' | 'committed' | 'rejected' | 'failed';

/** One part of an outcome, e.g. one section of a cart. */
export interface OutcomeItem {
  sectionId?: number;
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
