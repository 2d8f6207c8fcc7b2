import { buildOpenApiDocument, type OpenApiDocument } from '../../../core/openapi/openapi-document.js';
import { requestViewSchema } from '../../../core/openapi/request-view-schema.js';
import { apiRouteDocs } from './api-route-docs.js';
import * as rows from '../staff/catalog/staff-row-schemas.js';
import * as views from './view-schemas.js';

/** The api's OpenAPI 3.1 document, built from the route tables (served at /api/openapi.json). */
export const apiDocument = (): OpenApiDocument =>
  buildOpenApiDocument({
    title: 'Rushline api',
    version: '0.1.0',
    description:
      'Catalogue, cart, enrollments, sales and reservations, and the staff office. Every error answers ' +
      '{ "error": { "code", "message" } }. Queued submissions need the waiting room’s admission token ' +
      '(X-Admission-Token); the waiting room has its own document at /rooms/openapi.json.',
    routes: apiRouteDocs,
    components: {
      TokenPair: views.tokenPairSchema,
      Profile: views.profileSchema,
      Term: views.termViewSchema,
      Major: views.majorViewSchema,
      Section: views.sectionViewSchema,
      SectionPage: views.sectionPageSchema,
      Cart: views.cartViewSchema,
      Timetable: views.timetableViewSchema,
      Request: requestViewSchema,
      QueuedRequest: views.queuedRequestSchema,
      RequestPage: views.requestListSchema,
      Enrollment: views.enrollmentViewSchema,
      Reservation: views.reservationViewSchema,
      Payment: views.paymentViewSchema,
      Event: views.eventViewSchema,
      SeatMap: views.seatMapViewSchema,
      NotificationPage: views.notificationPageSchema,
      Unread: views.unreadSchema,
      StaffTerm: rows.termRowSchema,
      StaffMajor: rows.majorRowSchema,
      StaffProfessor: rows.professorRowSchema,
      StaffCourse: rows.courseRowSchema,
      StaffSection: rows.sectionRowSchema,
      StaffWindow: rows.windowRowSchema,
      StaffEvent: rows.eventRowSchema,
      StaffSeat: rows.seatRowSchema,
    },
  });
