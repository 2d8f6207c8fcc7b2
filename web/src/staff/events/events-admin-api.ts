import { api } from '../../api/http';
import { ifMatch, query, type Page } from '../staff-api';
import type { SeatInput, StaffSeat } from './seat-map-edits';

/** The staff API's events and seats (api/src/staff/events/*), as the event editor reads them. */
export type EventKind = 'flight' | 'concert';

export interface StaffEvent {
  id: number;
  kind: EventKind;
  title: string;
  venue: string;
  startsAt: string;
  description: string | null;
  perUserLimit: number;
  holdTtlS: number;
  version: number;
}

export type EventInput = Omit<StaffEvent, 'id' | 'version'>;

export type { SeatInput, StaffSeat } from './seat-map-edits';
export type SeatPatch = Partial<Omit<SeatInput, 'label'>>;

export const getEvent = (id: number) => api<StaffEvent>(`/api/staff/events/${id}`);

/** The whole seat map: the server pages it 5,000 seats at a time, which is one page for most venues. */
export async function listSeats(eventId: number): Promise<StaffSeat[]> {
  const seats: StaffSeat[] = [];
  let after: number | null = null;
  do {
    const page: Page<StaffSeat> = await api<Page<StaffSeat>>(
      `/api/staff/events/${eventId}/seats${query({ after: after ?? undefined, limit: 5000 })}`,
    );
    seats.push(...page.items);
    after = page.next;
  } while (after !== null);
  return seats;
}

export const createSeat = (eventId: number, input: SeatInput) =>
  api<StaffSeat>(`/api/staff/events/${eventId}/seats`, { method: 'POST', body: input });

export const updateSeat = (s: Pick<StaffSeat, 'id' | 'eventId' | 'version'>, changes: SeatPatch) =>
  api<StaffSeat>(`/api/staff/events/${s.eventId}/seats/${s.id}`, {
    method: 'PATCH',
    body: changes,
    headers: ifMatch(s.version),
  });

export const deleteSeat = (s: Pick<StaffSeat, 'id' | 'eventId' | 'version'>) =>
  api<void>(`/api/staff/events/${s.eventId}/seats/${s.id}`, {
    method: 'DELETE',
    headers: ifMatch(s.version),
  });
