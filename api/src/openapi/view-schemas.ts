import { z } from 'zod';
import type {
  CartView,
  MajorView,
  SectionPage,
  SectionView,
  TermView,
  TimetableView,
} from '../../../core/views/catalog-views.js';
import type { EnrollmentView } from '../../../core/views/enrollment-view.js';
import type { NotificationPage } from '../../../core/views/notification-views.js';
import { requestViewSchema } from '../../../core/openapi/request-view-schema.js';
import type { PaymentView, ReservationView } from '../../../core/views/reservation-view.js';
import type { EventView, SeatMapView, ZoneSummary } from '../../../core/views/sale-views.js';
import type { TokenPair } from '../auth/auth-service.js';
import type { UserProfile } from '../users/user-store.js';

/**
 * The api's answers as zod schemas, for the OpenAPI document only (the routes build these objects from
 * read models typed by core/views). Each is annotated with its view type, so `tsc` refuses a schema that
 * no longer matches the type the read model returns; the recorded-responses test checks the rest.
 */

const instant = z.string().describe('ISO 8601 instant, UTC');
const id = z.number().int().positive();
const dayOfWeek = z.union([1, 2, 3, 4, 5, 6, 7].map((d) => z.literal(d as 1 | 2 | 3 | 4 | 5 | 6 | 7)));

export const tokenPairSchema: z.ZodType<TokenPair> = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  refreshToken: z.string(),
  refreshExpiresIn: z.number().int(),
  user: z.object({ id, username: z.string(), role: z.enum(['student', 'staff']) }),
});

export const majorViewSchema: z.ZodType<MajorView> = z.object({ id, code: z.string(), name: z.string() });

export const termViewSchema: z.ZodType<TermView> = z.object({
  id,
  code: z.string(),
  name: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  windows: z.array(
    z.object({
      id,
      name: z.string(),
      grades: z.array(z.number().int()),
      opensAt: instant,
      closesAt: instant,
      roomId: id.nullable(),
    }),
  ),
});

export const sectionViewSchema: z.ZodType<SectionView> = z.object({
  id,
  termId: id,
  sectionNumber: z.number().int(),
  capacity: z.number().int(),
  enrolled: z.number().int(),
  seatsLeft: z.number().int(),
  course: z.object({
    id,
    code: z.string(),
    title: z.string(),
    credits: z.number(),
    description: z.string().nullable(),
    major: majorViewSchema,
  }),
  professor: z.object({ id, name: z.string() }),
  meetings: z.array(z.object({ dayOfWeek, startsAt: z.string(), endsAt: z.string(), room: z.string() })),
});

export const sectionPageSchema: z.ZodType<SectionPage> = z.object({
  sections: z.array(sectionViewSchema),
  nextCursor: z.string().nullable().describe('Send back as ?cursor= for the next page'),
});

const withSections = z.array(id);
export const cartViewSchema: z.ZodType<CartView> = z.object({
  termId: id,
  items: z.array(
    z.object({
      section: sectionViewSchema,
      addedAt: instant,
      flags: z.array(
        z.discriminatedUnion('code', [
          z.object({ code: z.literal('TIME_CLASH'), withSectionIds: withSections }),
          z.object({ code: z.literal('SAME_COURSE'), withSectionIds: withSections }),
          z.object({ code: z.literal('ALREADY_ENROLLED') }),
          z.object({ code: z.literal('OVER_CREDIT_LIMIT'), credits: z.number(), creditLimit: z.number() }),
          z.object({ code: z.literal('FULL') }),
        ]),
      ),
    }),
  ),
  cartCredits: z.number(),
  enrolledCredits: z.number(),
  creditLimit: z.number(),
});

export const timetableViewSchema: z.ZodType<TimetableView> = z.object({
  termId: id,
  blocks: z.array(
    z.object({
      sectionId: id,
      courseCode: z.string(),
      title: z.string(),
      sectionNumber: z.number().int(),
      credits: z.number(),
      professor: z.string(),
      dayOfWeek,
      startsAt: z.string(),
      endsAt: z.string(),
      room: z.string(),
      source: z.enum(['enrolled', 'cart']),
      enrollmentId: id.nullable(),
      clash: z.boolean(),
    }),
  ),
  enrolledCredits: z.number(),
  cartCredits: z.number(),
  creditLimit: z.number(),
});

/** The 202 of POST /api/enrollments and /api/reservations (queued-request-handler.ts). */
export const queuedRequestSchema = z.object({
  requestId: id,
  created: z
    .boolean()
    .describe('false when the Idempotency-Key was seen before: the same request comes back'),
  status: z.enum(['queued', 'committed', 'rejected', 'failed']),
  request: requestViewSchema,
});

export const requestListSchema = z.object({
  requests: z.array(requestViewSchema),
  next: z.string().nullable().describe('The query string of the next page, or null'),
});

export const enrollmentViewSchema: z.ZodType<EnrollmentView> = z.object({
  id,
  sectionId: id,
  sectionNumber: z.number().int(),
  code: z.string(),
  title: z.string(),
  credits: z.number(),
  enrolledAt: instant,
});

export const paymentViewSchema: z.ZodType<PaymentView> = z.object({
  id,
  status: z.enum(['pending', 'succeeded', 'failed', 'refunded']),
  amountCents: z.number().int(),
  currency: z.string(),
  providerRef: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: instant,
});

export const reservationViewSchema: z.ZodType<ReservationView> = z.object({
  id,
  eventId: id,
  eventTitle: z.string(),
  status: z.enum(['held', 'paid', 'confirmed', 'cancelled', 'expired']),
  seats: z.array(
    z.object({ label: z.string(), zone: z.string(), priceCents: z.number().int(), live: z.boolean() }),
  ),
  amountCents: z.number().int(),
  holdExpiresAt: instant,
  paidAt: instant.nullable(),
  cancelledAt: instant.nullable(),
  createdAt: instant,
  requestId: id.nullable(),
  payments: z.array(paymentViewSchema),
});

const zoneSummarySchema: z.ZodType<ZoneSummary> = z.object({
  zone: z.string(),
  minPriceCents: z.number().int(),
  maxPriceCents: z.number().int(),
  total: z.number().int(),
  free: z.number().int(),
  held: z.number().int(),
  sold: z.number().int(),
});

export const eventViewSchema: z.ZodType<EventView> = z.object({
  id,
  kind: z.enum(['flight', 'concert']),
  title: z.string(),
  venue: z.string(),
  startsAt: instant,
  description: z.string().nullable(),
  perUserLimit: z.number().int(),
  holdTtlS: z.number().int(),
  currency: z.string(),
  room: z
    .object({
      id,
      state: z.string(),
      prequeueOpensAt: instant,
      opensAt: instant,
      closesAt: instant.nullable(),
    })
    .nullable(),
  zones: z.array(zoneSummarySchema),
});

export const seatMapViewSchema: z.ZodType<SeatMapView> = z.object({
  eventId: id,
  width: z.number(),
  height: z.number(),
  zones: z.array(zoneSummarySchema),
  seats: z.array(
    z.object({
      id,
      label: z.string(),
      zone: z.string(),
      row: z.string(),
      x: z.number(),
      y: z.number(),
      priceCents: z.number().int(),
      status: z.enum(['free', 'held', 'sold']),
    }),
  ),
  asOf: instant,
});

export const notificationPageSchema: z.ZodType<NotificationPage> = z.object({
  notifications: z.array(
    z.object({
      id,
      kind: z.enum(['request', 'reservation']),
      code: z.string(),
      message: z.string(),
      params: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
      link: z.object({
        requestId: id.optional(),
        reservationId: id.optional(),
        roomId: id.optional(),
        eventId: id.optional(),
        termId: id.optional(),
      }),
      createdAt: instant,
      readAt: instant.nullable(),
    }),
  ),
  unread: z.number().int(),
  next: z.string().nullable(),
});

export const unreadSchema = z.object({ unread: z.number().int() });

/** GET /api/me; staff see the same fields of any account, and more (staff-user-route-docs.ts). */
export const profileShape = z.object({
  id,
  username: z.string(),
  role: z.enum(['student', 'staff']),
  displayName: z.string(),
  studentNumber: z.string().nullable(),
  major: majorViewSchema.nullable(),
  grade: z.number().int().nullable(),
  creditLimit: z.number().int(),
});
export const profileSchema: z.ZodType<UserProfile> = profileShape;
