import type { OutcomeItem } from '../../../core/requests/request-types.js';
import { meetingsOverlap, type Meeting } from '../../../core/timetable/meetings.js';

// Re-exported: the committer and the tests import the meeting shape from the rules.
export type { Meeting };

/**
 * The enrollment rules as pure functions over a snapshot of the locked rows, so one transaction can
 * decide a whole batch in memory, in admission order, exactly as if each request ran alone in turn.
 */
export interface SectionState {
  id: number;
  termId: number;
  courseId: number;
  credits: number;
  capacity: number;
  enrolled: number;
  /** False once staff deactivated it (a section with enrollments can't be deleted): nobody new gets in. */
  active: boolean;
  meetings: Meeting[];
  label: string;
}

export interface StudentState {
  id: number;
  grade: number | null;
  creditLimit: number;
  /** Current enrollments, by section id. */
  enrolled: Map<
    number,
    { courseId: number; termId: number; credits: number; meetings: Meeting[]; label: string }
  >;
}

export interface WindowState {
  termId: number;
  grades: number[];
  opensAt: Date;
  closesAt: Date;
}

export const RULE_CODES = {
  committed: 'ENROLLED',
  sectionNotFound: 'SECTION_NOT_FOUND',
  sectionInactive: 'SECTION_INACTIVE',
  windowClosed: 'WINDOW_CLOSED',
  sectionFull: 'SECTION_FULL',
  alreadyEnrolled: 'ALREADY_ENROLLED',
  courseTaken: 'COURSE_ALREADY_TAKEN',
  clash: 'TIMETABLE_CLASH',
  credits: 'CREDIT_LIMIT_EXCEEDED',
} as const;

/**
 * Decides one section for one student and, when it is granted, applies it to the snapshot (the seat
 * is taken, the student's timetable and credits grow), so the next decision sees it.
 */
export function decideSection(
  student: StudentState,
  section: SectionState | undefined,
  windows: WindowState[],
  now: Date,
  sectionId: number,
): OutcomeItem {
  const reject = (code: string, message: string): OutcomeItem => ({
    sectionId,
    status: 'rejected',
    code,
    message,
  });
  if (!section) return reject(RULE_CODES.sectionNotFound, `Section ${sectionId} does not exist`);
  if (!section.active) return reject(RULE_CODES.sectionInactive, `${section.label} is no longer offered`);
  const open = windows.some(
    (w) =>
      w.termId === section.termId &&
      student.grade !== null &&
      w.grades.includes(student.grade) &&
      w.opensAt.getTime() <= now.getTime() &&
      now.getTime() < w.closesAt.getTime(),
  );
  if (!open) return reject(RULE_CODES.windowClosed, 'Registration is not open for your year right now');
  if (student.enrolled.has(section.id)) {
    return reject(RULE_CODES.alreadyEnrolled, `You are already enrolled in ${section.label}`);
  }
  for (const e of student.enrolled.values()) {
    if (e.courseId === section.courseId && e.termId === section.termId) {
      return reject(RULE_CODES.courseTaken, `You already take this course in section ${e.label}`);
    }
  }
  if (section.enrolled >= section.capacity) return reject(RULE_CODES.sectionFull, `${section.label} is full`);
  for (const e of student.enrolled.values()) {
    if (e.termId !== section.termId) continue;
    const clash = e.meetings.find((m) => section.meetings.some((n) => meetingsOverlap(m, n)));
    if (clash) return reject(RULE_CODES.clash, `${section.label} clashes with ${e.label} in your timetable`);
  }
  const credits = [...student.enrolled.values()]
    .filter((e) => e.termId === section.termId)
    .reduce((sum, e) => sum + e.credits, 0);
  if (credits + section.credits > student.creditLimit) {
    return reject(
      RULE_CODES.credits,
      `${section.label} would take you to ${credits + section.credits} credits; your limit is ${student.creditLimit}`,
    );
  }
  section.enrolled++;
  student.enrolled.set(section.id, {
    courseId: section.courseId,
    termId: section.termId,
    credits: section.credits,
    meetings: section.meetings,
    label: section.label,
  });
  return {
    sectionId,
    status: 'committed',
    code: RULE_CODES.committed,
    message: `Enrolled in ${section.label}`,
  };
}
