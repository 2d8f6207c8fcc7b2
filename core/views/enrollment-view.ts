/**
 * One of a student's enrollments as GET /api/enrollments lists it (the timetable page). Types only, shared
 * with the web app; `enrolledAt` is an ISO 8601 UTC instant.
 */
export interface EnrollmentView {
  id: number;
  sectionId: number;
  sectionNumber: number;
  code: string;
  title: string;
  credits: number;
  enrolledAt: string;
}
