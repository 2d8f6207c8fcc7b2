import { pino, type Logger } from 'pino';
import { cachedIsoTime } from './log-time.js';

/**
 * Writes one access line: the same JSON as `logger[level]({ reqId, method, route, status, ms, userId },
 * 'request')` would, field for field.
 */
export type AccessLineWriter = (
  level: 'info' | 'error',
  reqId: string,
  method: string,
  route: string,
  status: number,
  ms: number,
  userId: number | undefined,
) => void;

/**
 * No write to stdout is larger than a pipe takes in one piece (PIPE_BUF), so the access stream's lines and
 * the app logger's never interleave inside a line, whatever reads the pipe.
 */
export const MAX_WRITE_BYTES = 4096;
/** Access lines wait for this many bytes of others, or this long, before they go out in one write. */
const ACCESS_BUFFER_BYTES = 2048;
const ACCESS_FLUSH_MS = 250;

export type AccessStream = ReturnType<typeof pino.destination>;

/** The buffered stream access lines go out through, to stdout (fd 1) or a file. */
export function accessStream(dest: number | string): AccessStream {
  return pino.destination({
    dest,
    sync: false,
    minLength: ACCESS_BUFFER_BYTES,
    maxWrite: MAX_WRITE_BYTES,
    periodicFlush: ACCESS_FLUSH_MS,
  });
}

const LEVELS = { info: pino.levels.values.info, error: pino.levels.values.error } as const;

/**
 * Access lines are most of what a process writes during a rush, one per request, so they skip pino's general
 * path (ADR 016):
 * - their own buffered stream: a line is a string append, and about ten go out per write(2) instead of one
 *   each, at the price of reaching stdout up to 250 ms after the app's lines (each carries its time; pino
 *   flushes it on exit, a SIGKILL loses at most that);
 * - the line is built here, not by pino's serialiser, which escapes every string field character by
 *   character. Only the route needs escaping (once per route, the patterns are few): the request id is
 *   `[A-Za-z0-9._-]` or a UUID (request-logger.ts), a method is an HTTP token, the rest are numbers;
 * - no redaction: the fields are these, none secret.
 */
export function createAccessLineWriter(
  service: string,
  stream: AccessStream = accessStream(1),
): AccessLineWriter {
  const bindings = `,"service":${JSON.stringify(service)},"pid":${process.pid}`;
  const routes = new Map<string, string>();
  return (level, reqId, method, route, status, ms, userId) => {
    let quotedRoute = routes.get(route);
    if (quotedRoute === undefined) routes.set(route, (quotedRoute = JSON.stringify(route)));
    stream.write(
      `{"level":${LEVELS[level]}${cachedIsoTime()}${bindings},"reqId":"${reqId}","method":"${method}",` +
        `"route":${quotedRoute},"status":${status},"ms":${ms}` +
        `${userId === undefined ? '' : `,"userId":${userId}`},"msg":"request"}\n`,
    );
  };
}

/** The access-line writer of each logger createLogger made. */
const writers = new WeakMap<Logger, AccessLineWriter>();

export function attachAccessLineWriter(logger: Logger, writer: AccessLineWriter): void {
  writers.set(logger, writer);
}

/**
 * `logger`'s access-line writer; a logger createLogger did not make (tests') gets a writer that goes
 * through pino itself, the same JSON.
 */
export function accessLineWriterOf(logger: Logger): AccessLineWriter {
  let writer = writers.get(logger);
  if (!writer) {
    writer = (level, reqId, method, route, status, ms, userId) =>
      logger[level]({ reqId, method, route, status, ms, userId }, 'request');
    writers.set(logger, writer);
  }
  return writer;
}
