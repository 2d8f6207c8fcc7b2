import type { Translator } from '../i18n/i18n';
import type { NotificationView } from '../../../core/views/notification-views';
import type { RequestOutcome } from '../../../core/views/request-view';
import { formatDateTime } from '../ui/format';

/**
 * Outcome and notification codes as sentences in the person's language (`outcome.*` in messages.ts), from
 * the code and its params; the server's English message when a code is unknown or a param it needs is
 * missing. Shared by the bell, the notifications page and the receipts.
 */
export interface Words {
  t: Translator['t'];
  te: Translator['te'];
  locale: string;
}

type Params = Record<string, string | number | null | undefined>;

/** Params a sentence cannot do without; without them the server's message is the better sentence. */
const NEEDS: Record<string, string[]> = {
  PARTIALLY_ENROLLED: ['granted', 'asked'],
  SEATS_HELD: ['seats', 'holdExpiresAt'],
  SEATS_TAKEN: ['takenSeats'],
  NOT_ENOUGH_SEATS: ['available'],
  PER_USER_LIMIT: ['perUserLimit', 'alreadyHeld'],
  UNKNOWN_SEAT: ['seatLabels'],
};

const hasNeeds = (code: string, p: Params) =>
  (NEEDS[code] ?? []).every((k) => p[k] !== undefined && p[k] !== null && p[k] !== '');

/** Instants in the person's language and time zone; everything else as it is. */
function displayParams(params: Params, locale: string): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(params)) {
    const instant = typeof value === 'string' && key.endsWith('At') && !Number.isNaN(Date.parse(value));
    out[key] = instant ? formatDateTime(value, locale) : value;
  }
  return out;
}

/** An outcome's details as params, as the server words its notifications: scalars, lists joined, counts. */
export function paramsOfDetails(details: RequestOutcome['details'] | null | undefined): Params {
  const params: Params = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (key === 'items') continue;
    if (typeof value === 'string' || typeof value === 'number' || value === null) params[key] = value;
    else if (Array.isArray(value)) params[key] = value.join(', ');
  }
  const items = details?.items;
  if (items) {
    params.granted = items.filter((i) => i.status === 'committed').length;
    params.asked = items.length;
  }
  return params;
}

/** Why one request or item was refused, e.g. "the section is full." */
export function reasonText(w: Words, code: string, message: string, params: Params = {}): string {
  const key = `outcome.reason.${code}`;
  if (!w.te(key) || !hasNeeds(code, params)) return message;
  return w.t(key, displayParams(params, w.locale));
}

/** A request's whole outcome as one sentence. */
export function outcomeSentence(
  w: Words,
  o: { kind: 'enrollment' | 'reservation'; status: string; code: string; message: string; params: Params },
): string {
  const params = displayParams(o.params, w.locale);
  const count = typeof o.params.asked === 'number' ? o.params.asked : 1;
  const key = `outcome.code.${o.code}`;
  if (w.te(key)) return hasNeeds(o.code, o.params) ? w.t(key, params, count) : o.message;
  if (o.status === 'rejected' && w.te(`outcome.reason.${o.code}`) && hasNeeds(o.code, o.params)) {
    const reason = w.t(`outcome.reason.${o.code}`, params);
    return w.t(`outcome.refused.${o.kind}`, { ...params, reason }, o.kind === 'enrollment' ? count : 1);
  }
  return o.message;
}

/** A notification as a sentence: a reservation's change, or a request's outcome. */
export function notificationText(w: Words, n: NotificationView): string {
  if (n.kind === 'reservation') {
    const key = `outcome.reservation.${n.code}`;
    if (!w.te(key)) return n.message;
    const seats =
      typeof n.params.seats === 'string' && n.params.seats ? n.params.seats : w.t('outcome.yourSeats');
    return w.t(key, { ...displayParams(n.params, w.locale), seats });
  }
  return outcomeSentence(w, {
    kind: n.params.requestKind === 'reservation' ? 'reservation' : 'enrollment',
    status: typeof n.params.status === 'string' ? n.params.status : '',
    code: n.code,
    message: n.message,
    params: n.params,
  });
}

/**
 * Where a notification takes the person: the reservation it is about; else the receipt of the room the
 * request went through (its outcome, item by item); else the term's cart or the event.
 */
export function notificationLink(n: NotificationView): string | null {
  const l = n.link;
  if (l.reservationId) return `/reservations/${l.reservationId}`;
  if (l.roomId) return `/receipts/${l.roomId}`;
  if (l.termId) return `/terms/${l.termId}/cart`;
  if (l.eventId) return `/events/${l.eventId}`;
  return null;
}
