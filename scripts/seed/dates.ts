const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export const addMinutes = (d: Date, minutes: number): Date => new Date(d.getTime() + minutes * MINUTE_MS);
export const addDays = (d: Date, days: number): Date => new Date(d.getTime() + days * DAY_MS);

/** The first instant at or after `d` that is a whole multiple of `minutes` (UTC). */
export function ceilToMinutes(d: Date, minutes: number): Date {
  const step = minutes * MINUTE_MS;
  return new Date(Math.ceil(d.getTime() / step) * step);
}

/** `days` days after `d`, at hh:mm UTC. */
export function atUtc(d: Date, days: number, hours: number, minutes = 0): Date {
  const day = addDays(d, days);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hours, minutes));
}

/** YYYY-MM-DD of `d` in UTC, for DATE columns. */
export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);
