import { clearSession, loadSession, saveSession, type StoredSession } from '../auth/session-storage';
import { ApiError } from './api-error';

/**
 * The one HTTP client of the app: JSON in and out, the access token on every call, one refresh when it has
 * expired (shared by concurrent callers: a refresh token used twice revokes the whole family), and the
 * server's error body turned into an ApiError.
 */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  /** false for sign-in and public reads. */
  auth?: boolean;
  signal?: AbortSignal;
}

interface TokenAnswer {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  user: StoredSession['user'];
}

type Listener = (session: StoredSession | null) => void;
const listeners = new Set<Listener>();

/** Called when the session changes under the app (refreshed, or ended by the server). */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setSession(session: StoredSession | null): void {
  if (session) saveSession(session);
  else clearSession();
  for (const l of listeners) l(session);
}

export const sessionFromTokens = (t: TokenAnswer): StoredSession => ({
  accessToken: t.accessToken,
  refreshToken: t.refreshToken,
  user: t.user,
  accessExpiresAt: Date.now() + t.expiresIn * 1000,
});

async function send<T>(path: string, opts: RequestOptions, token: string | undefined): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('NETWORK', 'Could not reach the server');
  }
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? `HTTP ${res.status}`,
      res.status,
      error?.details,
    );
  }
  return data as T;
}

let refreshing: Promise<StoredSession> | undefined;

/** Rotates the refresh token once for everyone waiting on it. */
export function refreshSession(): Promise<StoredSession> {
  refreshing ??= (async () => {
    try {
      const current = loadSession();
      if (!current) throw new ApiError('UNAUTHENTICATED', 'Please sign in', 401);
      const answer = await send<TokenAnswer>(
        '/api/auth/refresh',
        { method: 'POST', body: { refreshToken: current.refreshToken } },
        undefined,
      );
      const next = sessionFromTokens(answer);
      setSession(next);
      return next;
    } catch (err) {
      // Refused (expired, revoked, reused): only signing in again helps; a network error is retried later.
      if (err instanceof ApiError && err.status === 401) setSession(null);
      throw err;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  if (opts.auth === false) return send<T>(path, opts, undefined);
  const session = loadSession();
  if (!session) throw new ApiError('UNAUTHENTICATED', 'Please sign in', 401);
  try {
    return await send<T>(path, opts, session.accessToken);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'TOKEN_EXPIRED') throw err;
    const fresh = await refreshSession();
    return send<T>(path, opts, fresh.accessToken);
  }
}

export async function signIn(username: string, password: string): Promise<StoredSession> {
  const answer = await send<TokenAnswer>(
    '/api/auth/login',
    { method: 'POST', body: { username, password } },
    undefined,
  );
  const session = sessionFromTokens(answer);
  setSession(session);
  return session;
}

export async function signOut(): Promise<void> {
  const session = loadSession();
  setSession(null);
  if (session) {
    await send(
      '/api/auth/logout',
      { method: 'POST', body: { refreshToken: session.refreshToken } },
      undefined,
    ).catch(() => undefined);
  }
}

/** A fresh Idempotency-Key: a retried submission with the same key is the same request, never a second. */
export const newIdempotencyKey = (): string => crypto.randomUUID();
