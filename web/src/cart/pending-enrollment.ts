import { newIdempotencyKey } from '../api/http';

/**
 * An enrollment submission until its outcome is known, kept in sessionStorage: a reload or a retry
 * sends the SAME Idempotency-Key for the same sections, so the server answers with the request it
 * already has and never records a second one. Forgotten once the outcome has arrived.
 */
export interface PendingEnrollment {
  key: string;
  termId: number;
  roomId: number;
  sectionIds: number[];
  /** Set once the server has answered 202. */
  requestId: number | null;
}

const storageKey = (termId: number) => `rushline.enrollment.${termId}`;

export function loadPending(termId: number): PendingEnrollment | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(storageKey(termId)) ?? 'null') as PendingEnrollment | null;
    return v && typeof v.key === 'string' && Array.isArray(v.sectionIds) ? v : null;
  } catch {
    return null;
  }
}

export function savePending(p: PendingEnrollment): void {
  sessionStorage.setItem(storageKey(p.termId), JSON.stringify(p));
}

export function forgetPending(termId: number): void {
  sessionStorage.removeItem(storageKey(termId));
}

const sameSections = (a: number[], b: number[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** The stored submission when it is for these very sections, else a new one with a fresh key (stored). */
export function pendingFor(termId: number, roomId: number, sectionIds: number[]): PendingEnrollment {
  const stored = loadPending(termId);
  if (stored && stored.roomId === roomId && sameSections(stored.sectionIds, sectionIds)) return stored;
  const fresh: PendingEnrollment = { key: newIdempotencyKey(), termId, roomId, sectionIds, requestId: null };
  savePending(fresh);
  return fresh;
}
