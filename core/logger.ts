import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

export function createLogger(cfg: Pick<Config, 'logLevel' | 'env'>, service: string): Logger {
  return pino({
    level: cfg.logLevel,
    base: { service, pid: process.pid },
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
  });
}
