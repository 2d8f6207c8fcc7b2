/**
 * `<input type="datetime-local">` and `<input type="date">` speak the computer's local time without a
 * zone; the API speaks instants.
 */
const pad = (n: number) => String(n).padStart(2, '0');

export function localInput(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `YYYY-MM-DD` day as the instant it starts here. */
export const startOfLocalDay = (day: string): string => new Date(`${day}T00:00`).toISOString();
