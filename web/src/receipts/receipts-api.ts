import type { SectionView } from '../../../core/views/catalog-views';
import type { RoomReceiptView } from '../../../core/views/receipt-view';
import type { RequestView } from '../../../core/views/request-view';
import { api } from '../api/http';

/** "What happened to me" in one room, from the waiting room (waiting-room/src/receipt). */
export const getReceipt = (roomId: number) => api<RoomReceiptView>(`/rooms/${roomId}/receipt`);

/** The person's latest requests, to tell which rooms they sent requests through. */
export const listMyRequests = () =>
  api<{ requests: RequestView[]; next: string | null }>('/api/me/requests?limit=100');

/** A section's course code, number and title, for naming a request's items (public). */
export const getSection = (id: number) => api<SectionView>(`/api/sections/${id}`, { auth: false });

export const sectionLabel = (s: SectionView) =>
  `${s.course.code}-${String(s.sectionNumber).padStart(2, '0')} ${s.course.title}`;

/** The sections an enrollment request named, from its payload `{ sectionIds }`. */
export function sectionIdsOf(payload: unknown): number[] {
  const ids = (payload as { sectionIds?: unknown } | null)?.sectionIds;
  return Array.isArray(ids) ? ids.filter((id): id is number => Number.isSafeInteger(id)) : [];
}

/** A reservation request's seats: picked by label, or a count in a zone. */
export function seatsAskedOf(
  payload: unknown,
): { labels: string[] } | { zone: string; count: number } | null {
  const p = payload as { seatLabels?: unknown; zone?: unknown; count?: unknown } | null;
  if (Array.isArray(p?.seatLabels)) return { labels: p.seatLabels.map(String) };
  if (typeof p?.zone === 'string' && typeof p.count === 'number') return { zone: p.zone, count: p.count };
  return null;
}
