import { forgetAdmission, loadAdmission } from '../auth/session-storage';

/**
 * The admission the waiting-room page handed over (same tab, same origin: sessionStorage). The token goes
 * with each enrollment or reservation request as X-Admission-Token; the api verifies it.
 */
export interface Admission {
  roomId: number;
  token: string;
  /** ms since the epoch; read from the token itself (its signature is the api's business). */
  expiresAt: number;
}

function expiryOf(token: string): number {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : NaN;
  } catch {
    return NaN;
  }
}

/** The room's admission if this tab holds one that has not expired. */
export function admissionFor(roomId: number): Admission | null {
  const token = loadAdmission(roomId);
  if (!token) return null;
  const expiresAt = expiryOf(token);
  if (!(expiresAt > Date.now())) {
    forgetAdmission(roomId);
    return null;
  }
  return { roomId, token, expiresAt };
}

export const admissionHeaders = (a: Admission): Record<string, string> => ({ 'x-admission-token': a.token });
