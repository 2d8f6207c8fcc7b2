import { api, refreshSession } from '../api/http';
import { ApiError } from '../api/api-error';
import { loadSession } from '../auth/session-storage';

/** The staff API's shapes (api/src/staff/*), as the console reads them. */
export interface Page<T> {
  items: T[];
  next: number | null;
}
export interface Term {
  id: number;
  code: string;
  name: string;
  startsOn: string;
  endsOn: string;
  version: number;
}
export interface Meeting {
  dayOfWeek: number;
  startsAt: string;
  endsAt: string;
  room: string;
}
export interface Section {
  id: number;
  termId: number;
  courseId: number;
  sectionNumber: number;
  capacity: number;
  enrolled: number;
  active: boolean;
  meetings: Meeting[];
  version: number;
}
export interface Course {
  id: number;
  code: string;
  title: string;
  credits: number;
  majorId: number;
  professorId: number;
  description: string | null;
  version: number;
}
export interface Major {
  id: number;
  code: string;
  name: string;
  version: number;
}
export interface Professor {
  id: number;
  name: string;
  email: string | null;
  majorId: number;
  version: number;
}
export interface RegWindow {
  id: number;
  termId: number;
  name: string;
  grades: number[];
  opensAt: string;
  closesAt: string;
  version: number;
}
export interface StaffUser {
  id: number;
  username: string;
  role: 'student' | 'staff';
  displayName: string;
  studentNumber: string | null;
  grade: number | null;
  active: boolean;
  version: number;
}
export interface LineError {
  line: number;
  column: string | null;
  reason: string;
}
export type ImportCounts = Record<string, number>;
export type ImportAnswer =
  | { dryRun: true; valid: boolean; errors: LineError[]; wouldImport: ImportCounts }
  | { dryRun: false; imported: ImportCounts };
export interface AuditEntry {
  id: number;
  actor: { id: number; username: string; displayName: string } | null;
  entity: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
  createdAt: string;
}
export interface PersonMatch {
  id: number;
  username: string;
  role: 'student' | 'staff';
  displayName: string;
  studentNumber: string | null;
  active: boolean;
}
export interface PersonStory {
  profile: StaffUser;
  requests: {
    id: number;
    kind: 'enrollment' | 'reservation';
    room: { id: number; name: string } | null;
    status: string;
    outcome: { code: string; message: string } | null;
    queueNumber: number | null;
    createdAt: string;
  }[];
  enrollments: {
    id: number;
    term: { code: string };
    course: { code: string; title: string };
    section: { number: number };
    createdAt: string;
  }[];
  reservations: {
    id: number;
    event: { title: string };
    status: string;
    amountCents: number;
    seats: { label: string }[];
    payments: { id: number; amountCents: number; currency: string; status: string }[];
  }[];
  notifications: { id: number; code: string; message: string; createdAt: string; readAt: string | null }[];
  rooms:
    | {
        room: { id: number; name: string; state: string };
        ticket: string | null;
        joinedAt: string | null;
        admittedAt: string | null;
      }[]
    | null;
}

export const ifMatch = (version: number) => ({ 'If-Match': `"v${version}"` });

/** A query string of the filled-in fields only. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Every page of a listing (the console's lists are small: terms, a term's windows). */
export async function listAll<T>(path: string, params: Record<string, string | number | undefined> = {}) {
  const items: T[] = [];
  let after: number | null | undefined;
  do {
    const page = await api<Page<T>>(`${path}${query({ ...params, limit: 100, after: after ?? undefined })}`);
    items.push(...page.items);
    after = page.next;
  } while (after !== null && items.length < 2000);
  return items;
}

/**
 * A call `api()` cannot make (a text/csv body, or a CSV answer): the same bearer token and one refresh when
 * it has expired, the server's error as an ApiError.
 */
async function raw(path: string, init: RequestInit): Promise<Response> {
  const attempt = async (token: string | undefined) => {
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    let res: Response;
    try {
      res = await fetch(path, { ...init, headers });
    } catch {
      throw new ApiError('NETWORK', 'Could not reach the server');
    }
    if (res.ok) return res;
    const data = (await res.json().catch(() => null)) as {
      error?: { code?: string; message?: string; details?: unknown };
    } | null;
    throw new ApiError(
      data?.error?.code ?? `HTTP_${res.status}`,
      data?.error?.message ?? `HTTP ${res.status}`,
      res.status,
      data?.error?.details,
    );
  };
  try {
    return await attempt(loadSession()?.accessToken);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'TOKEN_EXPIRED') throw err;
    return attempt((await refreshSession()).accessToken);
  }
}

export async function importCatalog(termId: number, csv: string, dryRun: boolean): Promise<ImportAnswer> {
  const res = await raw(`/api/staff/imports/catalog${query({ termId, dryRun })}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', accept: 'application/json' },
    body: csv,
  });
  return (await res.json()) as ImportAnswer;
}

/** Fetches a CSV export with the token and hands it to the browser as a download. */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const res = await raw(path, { headers: { accept: 'text/csv' } });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Trades this tab's bearer token for the admin pages' session cookie (path /admin, 15 minutes). */
export const openAdminSession = (): Promise<void> => api<void>('/admin/session', { method: 'POST' });
