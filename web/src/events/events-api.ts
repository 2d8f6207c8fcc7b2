import type { EventView, SeatMapView } from '../../../core/views/sale-views';
import { api } from '../api/http';

/** What is on sale and its seat map: public reads (no sign-in needed). */
export const listEvents = () =>
  api<{ events: EventView[] }>('/api/events', { auth: false }).then((r) => r.events);

export const getEvent = (id: number) => api<EventView>(`/api/events/${id}`, { auth: false });

export const getSeatMap = (id: number, signal?: AbortSignal) =>
  api<SeatMapView>(`/api/events/${id}/seats`, { auth: false, signal });
