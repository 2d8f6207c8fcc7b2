import type { TimetableView } from '../../../core/views/catalog-views';
import type { EnrollmentView } from '../../../core/views/enrollment-view';
import { api } from '../api/http';

/** The student's week: enrolled sections, and with `cart` what the cart holds too. */
export const getTimetable = (termId: number, cart: boolean) =>
  api<TimetableView>(`/api/me/timetable?term=${termId}&cart=${cart}`);

/** DELETE /api/enrollments/:id: drops it and frees the seat. */
export const dropEnrollment = (enrollmentId: number) =>
  api<{ dropped: number; sectionId: number }>(`/api/enrollments/${enrollmentId}`, { method: 'DELETE' });

/** GET /api/enrollments: every enrollment of the student, all terms. */
export type EnrollmentRow = EnrollmentView;

export const listEnrollments = () =>
  api<{ enrollments: EnrollmentRow[] }>('/api/enrollments').then((r) => r.enrollments);
