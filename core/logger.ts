import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/** Each logger createLogger made, and the one that writes its access lines. */
const accessLoggers = new WeakMap<Logger, Logger>();

export function createLogger(cfg: Pick<Config, 'logLevel' | 'env'>, service: string): Logger {
  // Asynchronous stdout: while one write is in flight the next lines gather into one, so an access line
  // per request during a rush costs a buffer append instead of a write(2) each (ADR 016). pino flushes
  // it synchronously on exit, so a crash's last lines are kept.
  const destination = pino.destination({ dest: 1, sync: false });
  const base = { service, pid: process.pid };
  const logger = pino(
    {
      level: cfg.logLevel,
      base,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-admission-token"]',
          'req.headers.cookie',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
  // Access lines hold only known flat fields (core/http/request-logger.ts), so they skip the redaction,
  // which costs a few µs a line at rush rates; same stream, level and fields otherwise.
  accessLoggers.set(
    logger,
    pino({ level: cfg.logLevel, base, timestamp: pino.stdTimeFunctions.isoTime }, destination),
  );
  return logger;
}

/** The logger for `logger`'s access lines: its unredacted twin when createLogger made it, else itself. */
export function accessLoggerOf(logger: Logger): Logger {
  return accessLoggers.get(logger) ?? logger;
}
