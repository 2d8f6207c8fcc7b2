import type { RequestRow } from '../requests/request-store.js';
import { parseJson } from '../requests/request-store.js';
import type { RequestOutcome } from '../requests/request-types.js';
import type { NotificationView } from '../views/notification-views.js';
import type { NewNotification } from './notification-store.js';

type Params = NotificationView['params'];

/** Scalars of an outcome's details as they are; lists of scalars joined (seat labels); objects left out. */
function scalarParams(details: RequestOutcome['details']): Params {
  const params: Params = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (key === 'items') continue;
    if (typeof value === 'string' || typeof value === 'number' || value === null) params[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
      params[key] = value.join(', ');
  }
  return params;
}

const positive = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined;

/**
 * The notification of a request's outcome: its code and message as decided, the details' scalars as
 * params (a cart's counts of sections granted and asked), and links to the request, its room, and the
 * event and reservation it names. A reservation request that held seats is the hold's notification too.
 */
export function requestNotification(row: RequestRow, outcome: RequestOutcome): NewNotification {
  const details = outcome.details;
  const params: Params = { requestKind: row.kind, status: outcome.status, ...scalarParams(details) };
  if (details?.items) {
    params.granted = details.items.filter((i) => i.status === 'committed').length;
    params.asked = details.items.length;
  }
  const payload = parseJson(row.payload) as { eventId?: unknown } | null;
  const link: NotificationView['link'] = { requestId: row.id };
  if (row.room_id !== null) link.roomId = row.room_id;
  const eventId = positive(details?.eventId) ?? positive(payload?.eventId);
  if (eventId !== undefined) link.eventId = eventId;
  const reservationId = positive(details?.reservationId);
  if (reservationId !== undefined) link.reservationId = reservationId;
  return { userId: row.user_id, kind: 'request', code: outcome.code, message: outcome.message, params, link };
}
