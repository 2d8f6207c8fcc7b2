import cors from 'cors';
import type { Express, Request, RequestHandler } from 'express';
import type { Redis } from '../../core/redis.js';
import type { Knex } from 'knex';
import { trackIntake, type IntakeLoad } from '../../core/admission/intake-load.js';
import { requireAuth, requireRole } from '../../core/auth/require-auth.js';
import { UserStanding } from '../../core/auth/user-standing.js';
import { loadUserStanding } from '../../core/auth/user-standing-store.js';
import type { Config } from '../../core/config.js';
import { createHttpApp } from '../../core/http/create-http-app.js';
import { isReady } from '../../core/http/health.js';
import { metricsRoutes } from '../../core/metrics/metrics-route.js';
import { limitPerUser, RateLimits } from '../../core/http/rate-limit.js';
import type { RateLimitKind } from '../../core/http/rate-limit-rules.js';
import type { Logger } from '../../core/logger.js';
import { redisKeys } from '../../core/redis-keys.js';
import { AuthService } from './auth/auth-service.js';
import { cartRoutes, timetableRoutes } from './cart/cart-routes.js';
import { sectionRoutes, termRoutes } from './catalog/catalog-routes.js';
import { authRoutes } from './auth/auth-routes.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { CommitQueues } from '../../core/queues.js';
import { AdmissionGuard } from './admission/admission-guard.js';
import { EnrollmentScope } from './enrollments/enrollment-scope.js';
import { enrollmentRoutes, submitEnrollment } from './enrollments/enrollment-routes.js';
import { meRoutes } from './me/me-routes.js';
import { RequestSubmitter } from './requests/request-submitter.js';
import { myRequestRoutes, requestRoutes } from './requests/request-routes.js';
import { staffUserRoutes } from './staff/users/staff-user-routes.js';
import { staffAuditRoutes } from './staff/audit/audit-routes.js';
import { staffCatalogRoutes } from './staff/catalog/staff-catalog-routes.js';
import { staffEventRoutes } from './staff/events/staff-event-routes.js';
import { staffLookupRoutes } from './staff/lookup/lookup-routes.js';
import { importRoutes } from './staff/imports/import-routes.js';
import { exportRoutes } from './staff/exports/export-routes.js';
import { AfterPaymentQueue, type AfterPaymentEnqueuer } from '../../core/reservations/after-payment-queue.js';
import { createPaymentProvider } from '../../core/payments/create-payment-provider.js';
import type { PaymentProvider } from '../../core/payments/payment-provider.js';
import { ReservationPayments } from './reservations/pay-reservation.js';
import { ReservationScope } from './reservations/reservation-scope.js';
import {
  myReservationRoutes,
  reservationRoutes,
  submitReservation,
} from './reservations/reservation-routes.js';
import { createSubmitFastPath } from './requests/submit-fast-path.js';
import { LivePublisher } from '../../core/live-publisher.js';
import { eventRoutes } from './events/event-routes.js';
import { notificationRoutes } from './notifications/notification-routes.js';
import { adminRoutes } from './admin/admin-routes.js';
import { apiDocument } from './openapi/api-document.js';
import { openApiRoutes } from './openapi/openapi-routes.js';

export interface ApiDeps {
  cfg: Config;
  logger: Logger;
  db: Knex;
  /**
   * The catalogue's reads, which may lag the primary by a moment (ADR 022): a replica's pool, or `db`
   * when there is none. Nothing that must see its own writes reads through it.
   */
  readDb?: Knex;
  redis: Redis;
  /** Given by main.ts so it can close them; built here when a test does not care. */
  queues?: CommitQueues;
  /**
   * This process's intake load, counted on the submission routes; main.ts publishes it for the admission
   * pace (ADR 012). Left out (tests that do not pace), nothing is counted.
   */
  intake?: IntakeLoad;
  /**
   * Submissions answered before express's router (ADR 028; default: SUBMIT_FAST_PATH, on). Off, express's
   * own routes answer them: the side-by-side test and the `submit` bench compare the two.
   */
  submitFastPath?: boolean;
  /** Likewise for the payment provider and the after-payment queue. */
  payments?: PaymentProvider;
  afterPayment?: AfterPaymentEnqueuer;
}

/** Builds the REST api from its dependencies; never listens (main.ts and the tests do). */
export function buildApiApp({
  cfg,
  logger,
  db,
  readDb = db,
  redis,
  queues,
  payments,
  afterPayment,
  intake,
  submitFastPath = cfg.http.submitFastPath,
}: ApiDeps): Express {
  const keys = redisKeys(cfg.redis.prefix);
  const submitter = new RequestSubmitter(
    db,
    queues ?? new CommitQueues(redis, cfg.redis.prefix),
    logger,
    cfg.commit.groupSpacingMs,
  );
  const admission = new AdmissionGuard(cfg, redis, db);
  const submit = {
    enrollments: submitEnrollment({ scope: new EnrollmentScope(db), admission, submitter }),
    reservations: submitReservation({ scope: new ReservationScope(db), admission, submitter }),
  };
  const auth = new AuthService({ db, cfg, limiter: new LoginLimiter(redis, keys, cfg) });
  // Tokens of missing or deactivated accounts end here, from a per-process snapshot (no query per request).
  const standing = cfg.auth.accountCheck ? new UserStanding(() => loadUserStanding(db)) : undefined;
  const authenticated = requireAuth(cfg, standing);
  // Browser pages on other origins (the waiting room's page signs in here) send bearer tokens, not cookies.
  const apiCors = cors({ origin: [...cfg.http.corsOrigins], maxAge: 600 });
  const limits = new RateLimits(redis, keys, cfg.rateLimits);
  const settlement = {
    db,
    logger,
    provider: payments ?? createPaymentProvider(cfg, redis),
    afterPayment: afterPayment ?? new AfterPaymentQueue(redis, cfg.redis.prefix),
    // Seats sold or freed by a payment or a cancellation, and the owner's notification, pushed after commit.
    live: new LivePublisher(redis, cfg.redis.prefix, logger),
  };
  const readiness = { mysql: () => db.raw('SELECT 1'), redis: () => redis.ping() };
  // Counted once authenticated (nobody else's requests can slow admission): a submission waiting for its
  // rate limit or its admission check is held as much as one waiting for MySQL.
  const intakeOf: RequestHandler[] = intake ? [trackIntake(intake)] : [];
  return createHttpApp({
    service: 'api',
    cfg,
    logger,
    readiness,
    rawPath: submitFastPath
      ? (securityHeaders) =>
          createSubmitFastPath({
            cfg,
            logger,
            securityHeaders,
            cors: apiCors,
            standing,
            intake,
            limits,
            submit,
          })
      : undefined,
    routes: (app) => {
      // Prometheus's scrape, for the deployment's own network only (ADR 016).
      app.use(metricsRoutes({ app: 'api', cfg, ready: () => isReady(readiness) }));
      app.use('/api', apiCors);
      // The OpenAPI document (built from the route tables beside each router) and its page: ADR 017.
      app.use('/api', openApiRoutes(apiDocument));
      app.use('/api/auth', authRoutes(auth, limits));
      // The public catalogue may be a moment behind (ADR 022); enrolling checks seats on the primary, under lock.
      app.use('/api/terms', termRoutes(readDb));
      app.use('/api/sections', sectionRoutes(readDb));
      app.use('/api/me/requests', authenticated, myRequestRoutes(db));
      app.use('/api/me/reservations', authenticated, myReservationRoutes(db));
      app.use('/api/me/notifications', authenticated, notificationRoutes(db));
      app.use('/api/me/cart', authenticated, cartRoutes(db));
      app.use('/api/me/timetable', authenticated, timetableRoutes(db));
      app.use('/api/me', authenticated, meRoutes(db));
      app.use('/api/requests', authenticated, requestRoutes(db));
      app.use('/api/events', eventRoutes({ db, readDb, currency: cfg.payments.currency }));
      app.use(
        '/api/enrollments',
        authenticated,
        ...intakeOf,
        limitPerUser(limits, (req) => (req.method === 'POST' ? 'submit' : undefined)),
        enrollmentRoutes({ db, submit: submit.enrollments }),
      );
      app.use(
        '/api/reservations',
        authenticated,
        ...intakeOf,
        limitPerUser(limits, reservationLimit),
        reservationRoutes({
          db,
          submit: submit.reservations,
          payments: new ReservationPayments({ ...settlement, currency: cfg.payments.currency }),
          settlement,
        }),
      );
      app.use('/api/staff/users', authenticated, requireRole('staff'), staffUserRoutes(db));
      app.use('/api/staff/audit', authenticated, requireRole('staff'), staffAuditRoutes(db));
      app.use('/api/staff/events', authenticated, requireRole('staff'), staffEventRoutes(db));
      app.use('/api/staff', authenticated, requireRole('staff'), staffCatalogRoutes(db));
      app.use('/api/staff/imports', authenticated, requireRole('staff'), importRoutes(db));
      app.use('/api/staff/exports', authenticated, requireRole('staff'), exportRoutes(db));
      app.use(
        '/api/staff/lookup',
        authenticated,
        requireRole('staff'),
        staffLookupRoutes({ db, redis, keys, logger }),
      );
      // Browser pages for staff (bull-board), reached by navigation: a cookie session, not bearer tokens.
      app.use('/admin', adminRoutes({ cfg, db, redis, authenticated }));
    },
  });
}

/** Which budget a reservation request spends (ADR 014): reserving, paying, cancelling; reads none. */
const reservationLimit = (req: Request): RateLimitKind | undefined => {
  if (req.method === 'DELETE') return 'cancel';
  if (req.method !== 'POST') return undefined;
  return /^\/[^/]+\/pay\/?$/.test(req.path) ? 'pay' : 'submit';
};
