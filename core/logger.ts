import { pino, type Logger } from 'pino';
import { attachAccessLineWriter, createAccessLineWriter, MAX_WRITE_BYTES } from './access-log.js';
import type { Config } from './config.js';
import { cachedIsoTime } from './log-time.js';

export type { Logger };

export function createLogger(cfg: Pick<Config, 'logLevel' | 'env'>, service: string): Logger {
  // Asynchronous stdout: while one write is in flight the next lines gather into one. pino flushes it
  // synchronously on exit, so a crash's last lines are kept. Access lines have their own stream.
  const destination = pino.destination({ dest: 1, sync: false, maxWrite: MAX_WRITE_BYTES });
  const logger = pino(
    {
      level: cfg.logLevel,
      base: { service, pid: process.pid },
      timestamp: cachedIsoTime,
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
  attachAccessLineWriter(logger, createAccessLineWriter(service));
  return logger;
}
