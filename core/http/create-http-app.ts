import express, { type Express } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { healthRouter, type ReadinessCheck } from './health.js';
import { requestLogger } from './request-logger.js';

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
}

/** JSON bodies up to the configured size (413 beyond); also used by the waiting room's raw join path. */
export const jsonBody = (cfg: Pick<Config, 'http'>) =>
  express.json({ limit: cfg.http.bodyLimit, strict: true });

/** The express app every Rushline HTTP process shares: same headers, parsing, logs, health and errors. */
export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.cfg.http.trustProxy);
  app.set('json spaces', 0);

  app.use(helmet(opts.helmet));
  app.use(requestLogger(opts.logger, (url) => url === '/healthz' || url === '/readyz'));
  app.use(jsonBody(opts.cfg));
  app.use(healthRouter(opts.service, opts.readiness, opts.healthDetails));

  opts.routes(app);

  app.use(notFoundHandler);
  app.use(errorHandler(opts.logger));
  return app;
}
