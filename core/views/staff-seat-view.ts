/** A seat as the staff seat-map API answers it (`/api/staff/events/:id/seats`) and the seat-map editor reads it. */
export interface StaffSeatView {
  id: number;
  eventId: number;
  label: string;
  zone: string;
  row: string | null;
  x: number | null;
  y: number | null;
  priceCents: number;
  status: 'free' | 'held' | 'sold';
  active: boolean;
  version: number;
}
