import express, { type Express } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { healthRouter, type ReadinessCheck } from './health.js';
import type { Middleware } from './raw-path.js';
import { requestLogger } from './request-logger.js';
import { utf8Only, verifyUtf8, wellFormedPath } from './request-guards.js';

export interface HttpAppOptions {
  service: string;
  cfg: Pick<Config, 'http'>;
  logger: Logger;
  readiness: Record<string, ReadinessCheck>;
  /** What this process is doing, added to /healthz (e.g. whether it leads admission). */
  healthDetails?: () => Record<string, unknown>;
  /** Mounts the app's own routes between the shared front (security, parsing, logs) and back (404, errors). */
  routes: (app: Express) => void;
  /** Lets a page served by this app load its scripts and open its socket (helmet's defaults are strict). */
  helmet?: HelmetOptions;
  /**
   * Answers the app's hottest routes before express's front and router (ADR 028); returns false for any
   * other request, which express then handles. Made with the app's own security headers middleware, so
   * an option given to `helmet` reaches both.
   */
  rawPath?: (securityHeaders: Middleware) => (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * JSON bodies up to the configured size (413 beyond), in UTF-8 only (415 for another charset, 400 for
 * bytes that aren't UTF-8); also used by the waiting room's raw join path, so both refuse alike.
 */
export function jsonBody(cfg: Pick<Config, 'http'>): Middleware {
  const parse = express.json({ limit: cfg.http.bodyLimit, strict: true, verify: verifyUtf8 });
  return (req, res, next) => utf8Only(req, res, (err) => (err ? next(err) : parse(req, res, next)));
}

/** The express app every Rushline HTTP process shares: same headers, parsing, logs, health and errors. */
export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.cfg.http.trustProxy);
  app.set('json spaces', 0);

  const securityHeaders = helmet(opts.helmet);
  if (opts.rawPath) {
    const rawPath = opts.rawPath(securityHeaders);
    app.use((req, res, next) => (rawPath(req, res) ? undefined : next()));
  }
  app.use(securityHeaders);
  // Probes and scrapes are counted in the HTTP metrics but write no access line.
  const { accessLog } = opts.cfg.http;
  app.use(
    requestLogger(
      opts.logger,
      (url) => !accessLog || url === '/healthz' || url === '/readyz' || url === '/metrics',
    ),
  );
  // Before any route, so a path that doesn't decode gets one 400 everywhere (health and 404s included).
  app.use(wellFormedPath);
  app.use(jsonBody(opts.cfg));
  app.use(healthRouter(opts.service, opts.readiness, opts.healthDetails));

  opts.routes(app);

  app.use(notFoundHandler);
  app.use(errorHandler(opts.logger));
  return app;
}
