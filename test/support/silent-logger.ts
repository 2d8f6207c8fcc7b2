import { pino } from 'pino';
import type { Logger } from '../../core/logger.js';

/** Tests log nothing unless LOG_LEVEL asks for it. */
export const testLogger: Logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
