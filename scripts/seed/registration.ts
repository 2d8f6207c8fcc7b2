import type { Knex } from 'knex';
import { addDays, addMinutes, atUtc, ceilToMinutes, isoDate } from './dates.js';
import { DEMO_OPENS_IN_MIN } from './demo-schedule.js';

export interface SeededTerm {
  id: number;
  code: string;
  name: string;
}

export interface SeededWindows {
  count: number;
  /** The all-grades window that opens today, which the demo's waiting room fronts. */
  demo: { id: number; opensAt: Date; closesAt: Date };
}

const SEASONS = [
  { until: 5, code: 'SPRING', name: 'Spring' },
  { until: 7, code: 'SUMMER', name: 'Summer' },
  { until: 12, code: 'FALL', name: 'Fall' },
] as const;

/** The next term: it starts on a Monday about ten weeks from `now` and runs fifteen weeks. */
export async function seedTerm(db: Knex, now: Date): Promise<SeededTerm> {
  let start = atUtc(now, 70, 0);
  while (start.getUTCDay() !== 1) start = addDays(start, 1);
  const month = start.getUTCMonth() + 1;
  const season = SEASONS.find((s) => month <= s.until) ?? SEASONS[2];
  const year = start.getUTCFullYear();
  const term = { code: `${year}-${season.code}`, name: `${season.name} ${year}` };
  const [id] = await db('terms').insert({
    ...term,
    starts_on: isoDate(start),
    ends_on: isoDate(addDays(start, 15 * 7 - 3)),
  });
  if (id === undefined) throw new Error('seed: inserting the term returned no id');
  return { id, ...term };
}

/**
 * Staggered windows like a real registrar's (final-year students first), a few days out, plus one window
 * for everybody that opens minutes from now so the demo can be tried straight away (`npm run demo`
 * moves the opening again later).
 */
export async function seedRegistrationWindows(db: Knex, termId: number, now: Date): Promise<SeededWindows> {
  // 00:00 UTC is 09:00 in Seoul, where the demo school is.
  const staggered = [
    { name: 'Final-year students (grade 4)', grades: [4], opensAt: atUtc(now, 3, 0) },
    { name: 'Third-year students (grade 3)', grades: [3], opensAt: atUtc(now, 4, 0) },
    { name: 'First- and second-year students (grades 1-2)', grades: [1, 2], opensAt: atUtc(now, 5, 0) },
  ];
  const demoOpensAt = addMinutes(ceilToMinutes(now, 1), DEMO_OPENS_IN_MIN.registration);
  const demoClosesAt = addDays(demoOpensAt, 7);
  const [demoId] = await db('registration_windows').insert({
    term_id: termId,
    name: 'Open registration, all students (demo)',
    grades: JSON.stringify([1, 2, 3, 4]),
    opens_at: demoOpensAt,
    closes_at: demoClosesAt,
  });
  if (demoId === undefined) throw new Error('seed: inserting the demo window returned no id');
  await db('registration_windows').insert(
    staggered.map((w) => ({
      term_id: termId,
      name: w.name,
      grades: JSON.stringify(w.grades),
      opens_at: w.opensAt,
      closes_at: addDays(w.opensAt, 7),
    })),
  );
  return {
    count: staggered.length + 1,
    demo: { id: demoId, opensAt: demoOpensAt, closesAt: demoClosesAt },
  };
}
