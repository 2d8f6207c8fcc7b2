/**
 * The signed-in session, kept in sessionStorage under the same key the waiting-room page uses, so signing
 * in on either page signs in on both (they share one origin and one tab). sessionStorage, not localStorage:
 * students often register on shared lab computers, and closing the tab ends the session there.
 */
export interface SessionUser {
  id: number;
  username: string;
  role: 'student' | 'staff';
}

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  user: SessionUser;
  /** When the access token expires (ms since the epoch), from the login's expiresIn. */
  accessExpiresAt?: number;
}

const AUTH_KEY = 'rushline.auth';

export function loadSession(): StoredSession | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(AUTH_KEY) ?? 'null') as StoredSession | null;
    return value && typeof value.accessToken === 'string' ? value : null;
  } catch {
    return null;
  }
}

export function saveSession(session: StoredSession): void {
  sessionStorage.setItem(AUTH_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(AUTH_KEY);
}

/** The admission token the waiting-room page stored for a room when it said "your turn". */
export const admissionKey = (roomId: number) => `rushline.admission.${roomId}`;

export function loadAdmission(roomId: number): string | null {
  return sessionStorage.getItem(admissionKey(roomId));
}

export function forgetAdmission(roomId: number): void {
  sessionStorage.removeItem(admissionKey(roomId));
}
