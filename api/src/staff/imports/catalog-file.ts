import { readCsvRows, text, whole, type CsvRow, type LineError } from './import-report.js';

export const CATALOG_COLUMNS = [
  'major_code',
  'major_name',
  'professor_name',
  'professor_email',
  'course_code',
  'course_title',
  'credits',
  'section_number',
  'capacity',
  'day',
  'starts_at',
  'ends_at',
  'room',
] as const;

/** What a catalog file asks for, each thing once, keyed as the database keys it. */
export interface CatalogPlan {
  majors: Map<string, { name: string }>;
  /** By lower-cased email. */
  professors: Map<string, { name: string; majorCode: string }>;
  courses: Map<string, { title: string; credits: number; majorCode: string; professorEmail: string }>;
  /** By `${courseCode}#${sectionNumber}`; `line` is the first line naming it (for capacity refusals). */
  sections: Map<string, { courseCode: string; number: number; capacity: number; line: number }>;
  meetings: { sectionKey: string; day: number; startsAt: string; endsAt: string; room: string }[];
}

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/** ISO weekday from `1`..`7`, `mon`..`sun` or the full English name, any case. */
const DAY_OF = new Map<string, number>(
  DAYS.flatMap((name, i) => [
    [String(i + 1), i + 1],
    [name, i + 1],
    [name.slice(0, 3), i + 1],
  ]),
);
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$/;

function day(row: CsvRow, errors: LineError[]): number | undefined {
  const d = DAY_OF.get(row.get('day').toLowerCase());
  if (d === undefined)
    errors.push({ line: row.line, column: 'day', reason: 'must be 1 (Monday) to 7 (Sunday) or a day name' });
  return d;
}

function time(row: CsvRow, column: string, errors: LineError[]): string | undefined {
  const m = TIME.exec(row.get(column));
  if (m) return `${m[1]}:${m[2]}:${m[3] ?? '00'}`;
  errors.push({ line: row.line, column, reason: 'must be a 24-hour time HH:MM' });
  return undefined;
}

/**
 * Records that a later line disagrees with the first line that defined the same thing (a major's name, a
 * course's title...): the file must say one thing about each, or the import would depend on line order.
 */
function agree<T extends Record<string, string | number>>(
  first: { line: number; value: T } | undefined,
  value: T,
  row: CsvRow,
  columns: Record<keyof T, string>,
  errors: LineError[],
): void {
  if (!first) return;
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (first.value[key] !== value[key]) {
      errors.push({
        line: row.line,
        column: columns[key],
        reason: `differs from line ${first.line} (${String(first.value[key])})`,
      });
    }
  }
}

/** Checks every line of a catalog file (without the database) and builds what it would import. */
export function planCatalog(csv: string, errors: LineError[]): CatalogPlan {
  const rows = readCsvRows(csv, CATALOG_COLUMNS, errors);
  const plan: CatalogPlan = {
    majors: new Map(),
    professors: new Map(),
    courses: new Map(),
    sections: new Map(),
    meetings: [],
  };
  const firstMajor = new Map<string, { line: number; value: { name: string } }>();
  const firstProf = new Map<string, { line: number; value: { name: string; majorCode: string } }>();
  const firstCourse = new Map<
    string,
    { line: number; value: { title: string; credits: number; majorCode: string; professorEmail: string } }
  >();
  const firstSection = new Map<string, { line: number; value: { capacity: number } }>();

  for (const row of rows) {
    const before = errors.length;
    const majorCode = text(row, 'major_code', 16, errors)?.toUpperCase();
    const majorName = text(row, 'major_name', 128, errors);
    const profName = text(row, 'professor_name', 128, errors);
    let email = text(row, 'professor_email', 255, errors)?.toLowerCase();
    if (email !== undefined && !EMAIL.test(email)) {
      errors.push({ line: row.line, column: 'professor_email', reason: 'is not an email address' });
      email = undefined;
    }
    const courseCode = text(row, 'course_code', 16, errors)?.toUpperCase();
    const title = text(row, 'course_title', 160, errors);
    const credits = whole(row, 'credits', 1, 30, errors);
    const number = whole(row, 'section_number', 1, 999, errors);
    const capacity = whole(row, 'capacity', 1, 100_000, errors);
    const d = day(row, errors);
    const startsAt = time(row, 'starts_at', errors);
    const endsAt = time(row, 'ends_at', errors);
    const room = text(row, 'room', 32, errors);
    if (startsAt && endsAt && startsAt >= endsAt)
      errors.push({ line: row.line, column: 'ends_at', reason: 'must be after starts_at' });
    if (errors.length > before) continue;
    // All defined now (each check above either returned a value or recorded an error).
    const m = { name: majorName! };
    agree(firstMajor.get(majorCode!), m, row, { name: 'major_name' }, errors);
    if (!firstMajor.has(majorCode!)) firstMajor.set(majorCode!, { line: row.line, value: m });
    const p = { name: profName!, majorCode: majorCode! };
    agree(firstProf.get(email!), p, row, { name: 'professor_name', majorCode: 'major_code' }, errors);
    if (!firstProf.has(email!)) firstProf.set(email!, { line: row.line, value: p });
    const c = { title: title!, credits: credits!, majorCode: majorCode!, professorEmail: email! };
    agree(
      firstCourse.get(courseCode!),
      c,
      row,
      {
        title: 'course_title',
        credits: 'credits',
        majorCode: 'major_code',
        professorEmail: 'professor_email',
      },
      errors,
    );
    if (!firstCourse.has(courseCode!)) firstCourse.set(courseCode!, { line: row.line, value: c });
    const sectionKey = `${courseCode}#${number}`;
    agree(firstSection.get(sectionKey), { capacity: capacity! }, row, { capacity: 'capacity' }, errors);
    if (!firstSection.has(sectionKey)) {
      firstSection.set(sectionKey, { line: row.line, value: { capacity: capacity! } });
      plan.sections.set(sectionKey, {
        courseCode: courseCode!,
        number: number!,
        capacity: capacity!,
        line: row.line,
      });
    }
    plan.meetings.push({ sectionKey, day: d!, startsAt: startsAt!, endsAt: endsAt!, room: room! });
  }
  for (const [code, f] of firstMajor) plan.majors.set(code, f.value);
  for (const [email, f] of firstProf) plan.professors.set(email, f.value);
  for (const [code, f] of firstCourse) plan.courses.set(code, f.value);
  return plan;
}
