/**
 * Weekly meetings as minutes since midnight, and when two of them clash. Pure, so the commit worker's
 * rules and the api's cart flags and timetable decide a clash the same way.
 */
export interface Meeting {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  day: number;
  /** Minutes since midnight. */
  start: number;
  end: number;
}

/** Half-open intervals: a class ending at 10:15 and one starting at 10:15 do not clash. */
export const meetingsOverlap = (a: Meeting, b: Meeting): boolean =>
  a.day === b.day && a.start < b.end && b.start < a.end;

/** 'HH:MM' or 'HH:MM:SS' (as MySQL returns a TIME) to minutes since midnight. */
export function minutesOfDay(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * For each timetable (a section's meetings, by key), the keys of the others it clashes with. Keys that
 * clash with nothing are absent. Quadratic in the number of meetings, which is a student's week: tens.
 */
export function clashesAmong<K>(timetables: ReadonlyMap<K, readonly Meeting[]>): Map<K, K[]> {
  const out = new Map<K, K[]>();
  const entries = [...timetables];
  for (let i = 0; i < entries.length; i++) {
    const [a, am] = entries[i] as [K, readonly Meeting[]];
    for (let j = i + 1; j < entries.length; j++) {
      const [b, bm] = entries[j] as [K, readonly Meeting[]];
      if (!am.some((m) => bm.some((n) => meetingsOverlap(m, n)))) continue;
      out.set(a, [...(out.get(a) ?? []), b]);
      out.set(b, [...(out.get(b) ?? []), a]);
    }
  }
  return out;
}
