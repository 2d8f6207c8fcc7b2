import type { IncomingMessage } from 'node:http';
import express, { type Express } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { healthRouter, type ReadinessCheck } from './health.js';

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

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A caller's X-Request-Id is kept when it is sane, so one id follows a request across services. */
function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The express app every Rushline HTTP process shares: same headers, parsing, logs, health and errors. */
export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.cfg.http.trustProxy);
  app.set('json spaces', 0);

  app.use(helmet(opts.helmet));
  app.use(
    pinoHttp({
      logger: opts.logger,
      genReqId: (req, res) => {
        const id = requestId(req);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Probes and successful reads would drown the log during a rush; errors are always logged.
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
    }),
  );
  app.use(express.json({ limit: opts.cfg.http.bodyLimit, strict: true }));
  app.use(healthRouter(opts.service, opts.readiness, opts.healthDetails));

  opts.routes(app);

  app.use(notFoundHandler);
  app.use(errorHandler(opts.logger));
  return app;
}
