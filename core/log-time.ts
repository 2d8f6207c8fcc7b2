/**
 * pino's `timestamp` option: `,"time":"2026-12-01T11:20:03.123Z"`, the same text as
 * `pino.stdTimeFunctions.isoTime`, without a `toISOString()` per line (about 1.5 µs each in Node 26, a
 * tenth of an access line): the text up to the seconds is kept for the second it names, and only the
 * milliseconds are written per line.
 */
export function cachedIsoTime(): string {
  const now = Date.now();
  const second = now - (now % 1000);
  if (second !== cached.second) {
    cached.second = second;
    // "2026-12-01T11:20:03." — everything but the milliseconds and the "Z".
    cached.prefix = `,"time":"${new Date(second).toISOString().slice(0, 20)}`;
  }
  const ms = now - second;
  return `${cached.prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

const cached = { second: -1, prefix: '' };
