import type { DayOfWeek, MeetingView, SectionView } from '../../../core/views/catalog-views';

/**
 * Days, times and section labels as the catalog, the cart and the timetable show them. Times of day
 * are the school's local 'HH:MM' as stored; they are shown as they are, never shifted by a time zone.
 */
export const WEEKDAYS: readonly DayOfWeek[] = [1, 2, 3, 4, 5];
export const ALL_DAYS: readonly DayOfWeek[] = [1, 2, 3, 4, 5, 6, 7];

/** 'CS101-01': the course code and the two-digit section number, as the commit's messages write it. */
export const sectionLabel = (code: string, sectionNumber: number): string =>
  `${code}-${String(sectionNumber).padStart(2, '0')}`;

export const labelOf = (s: Pick<SectionView, 'course' | 'sectionNumber'>): string =>
  sectionLabel(s.course.code, s.sectionNumber);

/** 10:30–12:00 */
export const timeRange = (startsAt: string, endsAt: string): string => `${startsAt}–${endsAt}`;

export const minutesOf = (time: string): number => {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** The days a week grid shows: Monday to Friday, and Saturday or Sunday only when something meets then. */
export function daysShown(used: Iterable<DayOfWeek>): DayOfWeek[] {
  const set = new Set(used);
  const days: DayOfWeek[] = [...WEEKDAYS];
  if (set.has(6) || set.has(7)) days.push(6);
  if (set.has(7)) days.push(7);
  return days;
}

/** Whole hours the grid spans: 9 to 18 at least, widened to whatever meets earlier or later. */
export function hoursShown(times: { startsAt: string; endsAt: string }[]): { from: number; to: number } {
  let from = 9;
  let to = 18;
  for (const t of times) {
    from = Math.min(from, Math.floor(minutesOf(t.startsAt) / 60));
    to = Math.max(to, Math.ceil(minutesOf(t.endsAt) / 60));
  }
  return { from, to };
}

/** Meetings in weekly order. */
export const byWeek = (a: MeetingView, b: MeetingView): number =>
  a.dayOfWeek - b.dayOfWeek || a.startsAt.localeCompare(b.startsAt);
