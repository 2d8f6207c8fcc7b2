import { expect } from 'chai';
import {
  decideSection,
  RULE_CODES,
  type Meeting,
  type SectionState,
  type StudentState,
  type WindowState,
} from './enrollment-rules.js';

/**
 * Pure tests of the rules the commit worker applies to its snapshot of locked rows. No database: the
 * integration through the api and the committer is in test/enrollment-rules.test.ts.
 */
const NOW = new Date('2027-02-15T09:00:00.000Z');
const TERM = 10;
const OTHER_TERM = 11;
const HOUR = 3_600_000;

/** Meetings as [day, 'HH:MM', 'HH:MM'], like the fixtures write them. */
const at = (...meetings: [number, string, string][]): Meeting[] =>
  meetings.map(([day, start, end]) => {
    const min = (t: string) => {
      const [h, m] = t.split(':').map(Number);
      return (h ?? 0) * 60 + (m ?? 0);
    };
    return { day, start: min(start), end: min(end) };
  });

let nextId = 100;

function section(opts: Partial<SectionState> = {}): SectionState {
  const id = opts.id ?? nextId++;
  return {
    id,
    termId: TERM,
    courseId: opts.courseId ?? id * 10,
    credits: 3,
    capacity: 30,
    enrolled: 0,
    active: true,
    // No meetings unless a test gives some, so only the timetable tests can clash.
    meetings: [],
    label: `C${id}-01`,
    ...opts,
  };
}

function student(
  opts: Partial<Omit<StudentState, 'enrolled'>> & { holds?: SectionState[] } = {},
): StudentState {
  const s: StudentState = {
    id: opts.id ?? 1,
    grade: opts.grade === undefined ? 2 : opts.grade,
    creditLimit: opts.creditLimit ?? 18,
    enrolled: new Map(),
  };
  for (const h of opts.holds ?? []) {
    s.enrolled.set(h.id, {
      courseId: h.courseId,
      termId: h.termId,
      credits: h.credits,
      meetings: h.meetings,
      label: h.label,
    });
  }
  return s;
}

function window(opts: Partial<WindowState> = {}): WindowState {
  return {
    termId: TERM,
    grades: [1, 2, 3, 4],
    opensAt: new Date(NOW.getTime() - HOUR),
    closesAt: new Date(NOW.getTime() + HOUR),
    ...opts,
  };
}

const decide = (s: StudentState, sec: SectionState | undefined, windows: WindowState[] = [window()]) =>
  decideSection(s, sec, windows, NOW, sec?.id ?? 999_999);

describe('enrollment rules (decideSection)', () => {
  describe('a granted section', () => {
    it('enrolls when every rule passes, and takes the seat in the snapshot', () => {
      const s = student();
      const sec = section({ capacity: 2, enrolled: 1 });
      const item = decide(s, sec);
      expect(item).to.deep.equal({
        sectionId: sec.id,
        status: 'committed',
        code: RULE_CODES.committed,
        message: `Enrolled in ${sec.label}`,
      });
      expect(sec.enrolled).to.equal(2);
      expect(s.enrolled.get(sec.id)).to.deep.include({ courseId: sec.courseId, termId: TERM, credits: 3 });
    });

    it('leaves the snapshot alone when it refuses', () => {
      const s = student({ creditLimit: 2 });
      const sec = section({ capacity: 5, enrolled: 3 });
      expect(decide(s, sec).code).to.equal('CREDIT_LIMIT_EXCEEDED');
      expect(sec.enrolled).to.equal(3);
      expect(s.enrolled.size).to.equal(0);
    });
  });

  it('refuses a deactivated section with SECTION_INACTIVE, before taking any seat', () => {
    const s = student();
    const sec = section({ active: false, capacity: 5, enrolled: 1 });
    expect(decide(s, sec)).to.include({ sectionId: sec.id, status: 'rejected', code: 'SECTION_INACTIVE' });
    expect(sec.enrolled).to.equal(1);
    expect(s.enrolled.size).to.equal(0);
  });

  it('refuses a section that does not exist with SECTION_NOT_FOUND', () => {
    const item = decideSection(student(), undefined, [window()], NOW, 4242);
    expect(item).to.include({ sectionId: 4242, status: 'rejected', code: 'SECTION_NOT_FOUND' });
  });

  describe('registration window', () => {
    it("refuses with WINDOW_CLOSED when the student's grade is not in the open window", () => {
      const item = decide(student({ grade: 2 }), section(), [window({ grades: [4] })]);
      expect(item).to.include({ status: 'rejected', code: 'WINDOW_CLOSED' });
    });

    it('refuses with WINDOW_CLOSED a student without a grade', () => {
      expect(decide(student({ grade: null }), section()).code).to.equal('WINDOW_CLOSED');
    });

    it('refuses with WINDOW_CLOSED when the window is not open yet', () => {
      const w = window({ opensAt: new Date(NOW.getTime() + 1), closesAt: new Date(NOW.getTime() + HOUR) });
      expect(decide(student(), section(), [w]).code).to.equal('WINDOW_CLOSED');
    });

    it('enrolls at the very millisecond the window opens', () => {
      const w = window({ opensAt: new Date(NOW), closesAt: new Date(NOW.getTime() + HOUR) });
      expect(decide(student(), section(), [w]).code).to.equal('ENROLLED');
    });

    it('refuses with WINDOW_CLOSED once the window has closed (closing time itself is closed)', () => {
      const closed = window({ opensAt: new Date(NOW.getTime() - 2 * HOUR), closesAt: new Date(NOW) });
      expect(decide(student(), section(), [closed]).code).to.equal('WINDOW_CLOSED');
      const longAgo = window({
        opensAt: new Date(NOW.getTime() - 2 * HOUR),
        closesAt: new Date(NOW.getTime() - HOUR),
      });
      expect(decide(student(), section(), [longAgo]).code).to.equal('WINDOW_CLOSED');
    });

    it("refuses with WINDOW_CLOSED when the open window is another term's", () => {
      expect(decide(student(), section(), [window({ termId: OTHER_TERM })]).code).to.equal('WINDOW_CLOSED');
    });

    it('refuses with WINDOW_CLOSED when there is no window at all', () => {
      expect(decide(student(), section(), []).code).to.equal('WINDOW_CLOSED');
    });

    it("enrolls when any of the term's windows is open for the grade", () => {
      const seniors = window({ grades: [4] });
      const sophomores = window({ grades: [2], opensAt: new Date(NOW.getTime() - 1) });
      expect(decide(student({ grade: 2 }), section(), [seniors, sophomores]).code).to.equal('ENROLLED');
    });

    it('checks the window before anything else (a closed window wins over a full section)', () => {
      const item = decide(student(), section({ capacity: 1, enrolled: 1 }), [window({ grades: [4] })]);
      expect(item.code).to.equal('WINDOW_CLOSED');
    });
  });

  describe('capacity', () => {
    it('refuses with SECTION_FULL when the section is at exactly its capacity', () => {
      const sec = section({ capacity: 25, enrolled: 25 });
      expect(decide(student(), sec)).to.include({ status: 'rejected', code: 'SECTION_FULL' });
      expect(sec.enrolled).to.equal(25);
    });

    it('enrolls in the last seat (one below capacity)', () => {
      const sec = section({ capacity: 25, enrolled: 24 });
      expect(decide(student(), sec).code).to.equal('ENROLLED');
      expect(sec.enrolled).to.equal(25);
    });
  });

  describe('what the student already holds', () => {
    it('refuses with ALREADY_ENROLLED a section the student already holds', () => {
      const sec = section();
      const item = decide(student({ holds: [sec] }), sec);
      expect(item).to.include({ status: 'rejected', code: 'ALREADY_ENROLLED' });
      expect(item.message).to.contain(sec.label);
    });

    it('says ALREADY_ENROLLED rather than SECTION_FULL when the held section is full', () => {
      const sec = section({ capacity: 1, enrolled: 1 });
      expect(decide(student({ holds: [sec] }), sec).code).to.equal('ALREADY_ENROLLED');
    });

    it('refuses with COURSE_ALREADY_TAKEN another section of a course the student takes this term', () => {
      const held = section({ label: 'MATH101-01' });
      const other = section({ courseId: held.courseId, label: 'MATH101-02' });
      const item = decide(student({ holds: [held] }), other);
      expect(item).to.include({ status: 'rejected', code: 'COURSE_ALREADY_TAKEN' });
      expect(item.message).to.contain('MATH101-01');
    });

    it('enrolls in a course the student took in another term', () => {
      const lastTerm = section({ termId: OTHER_TERM });
      const now = section({ courseId: lastTerm.courseId });
      expect(decide(student({ holds: [lastTerm] }), now).code).to.equal('ENROLLED');
    });
  });

  describe('timetable', () => {
    const monday9 = () => section({ meetings: at([1, '09:00', '10:15'], [3, '09:00', '10:15']) });

    it('refuses with TIMETABLE_CLASH a section meeting the same day at an overlapping time', () => {
      const held = monday9();
      const item = decide(student({ holds: [held] }), section({ meetings: at([3, '10:00', '11:00']) }));
      expect(item).to.include({ status: 'rejected', code: 'TIMETABLE_CLASH' });
      expect(item.message).to.contain(held.label);
    });

    it('refuses with TIMETABLE_CLASH a section inside or around a held meeting', () => {
      const held = monday9();
      const s = student({ holds: [held] });
      expect(decide(s, section({ meetings: at([1, '09:15', '09:45']) })).code).to.equal('TIMETABLE_CLASH');
      expect(decide(s, section({ meetings: at([1, '08:00', '12:00']) })).code).to.equal('TIMETABLE_CLASH');
      expect(decide(s, section({ meetings: at([1, '09:00', '10:15']) })).code).to.equal('TIMETABLE_CLASH');
    });

    it('enrolls when one meeting ends exactly as the other starts (touching is not a clash)', () => {
      const s = student({ holds: [monday9()] });
      expect(decide(s, section({ meetings: at([1, '10:15', '11:30']) })).code).to.equal('ENROLLED');
      expect(decide(s, section({ meetings: at([3, '08:00', '09:00']) })).code).to.equal('ENROLLED');
    });

    it('enrolls when the meetings are at the same time on different days', () => {
      const s = student({ holds: [monday9()] });
      expect(decide(s, section({ meetings: at([2, '09:00', '10:15']) })).code).to.equal('ENROLLED');
    });

    it("ignores another term's timetable", () => {
      const lastTerm = section({ termId: OTHER_TERM, meetings: at([1, '09:00', '10:15']) });
      const s = student({ holds: [lastTerm] });
      expect(decide(s, section({ meetings: at([1, '09:00', '10:15']) })).code).to.equal('ENROLLED');
    });

    it('says SECTION_FULL before TIMETABLE_CLASH', () => {
      const s = student({ holds: [monday9()] });
      const full = section({ capacity: 3, enrolled: 3, meetings: at([1, '09:00', '10:00']) });
      expect(decide(s, full).code).to.equal('SECTION_FULL');
    });
  });

  describe('credit limit', () => {
    it('enrolls when the section takes the student exactly to the limit', () => {
      const s = student({ creditLimit: 10, holds: [section({ credits: 4 }), section({ credits: 3 })] });
      expect(decide(s, section({ credits: 3 })).code).to.equal('ENROLLED');
    });

    it('refuses with CREDIT_LIMIT_EXCEEDED one credit over the limit, naming the total', () => {
      const s = student({ creditLimit: 10, holds: [section({ credits: 4 }), section({ credits: 3 })] });
      const item = decide(s, section({ credits: 4 }));
      expect(item).to.include({ status: 'rejected', code: 'CREDIT_LIMIT_EXCEEDED' });
      expect(item.message).to.contain('11').and.to.contain('10');
    });

    it("does not count another term's credits", () => {
      const s = student({ creditLimit: 6, holds: [section({ termId: OTHER_TERM, credits: 6 })] });
      expect(decide(s, section({ credits: 6 })).code).to.equal('ENROLLED');
    });
  });

  describe('several decisions against one snapshot (one batch)', () => {
    it('gives the last seat to the first decision and SECTION_FULL to the next', () => {
      const sec = section({ capacity: 1, enrolled: 0 });
      expect(decide(student({ id: 1 }), sec).code).to.equal('ENROLLED');
      expect(decide(student({ id: 2 }), sec).code).to.equal('SECTION_FULL');
      expect(sec.enrolled).to.equal(1);
    });

    it('sees a section granted earlier in the batch in the timetable', () => {
      const s = student();
      expect(decide(s, section({ meetings: at([2, '13:00', '14:15']) })).code).to.equal('ENROLLED');
      expect(decide(s, section({ meetings: at([2, '14:00', '15:00']) })).code).to.equal('TIMETABLE_CLASH');
      expect(s.enrolled.size).to.equal(1);
    });

    it('sees a section granted earlier in the batch in the credits, course and held sections', () => {
      const s = student({ creditLimit: 7 });
      const first = section({ credits: 4, meetings: at([1, '08:00', '08:50']) });
      expect(decide(s, first).code).to.equal('ENROLLED');
      expect(decide(s, first).code).to.equal('ALREADY_ENROLLED');
      const sameCourse = section({ courseId: first.courseId, meetings: at([4, '08:00', '08:50']) });
      expect(decide(s, sameCourse).code).to.equal('COURSE_ALREADY_TAKEN');
      expect(decide(s, section({ credits: 4, meetings: at([2, '08:00', '08:50']) })).code).to.equal(
        'CREDIT_LIMIT_EXCEEDED',
      );
      expect(decide(s, section({ credits: 3, meetings: at([2, '08:00', '08:50']) })).code).to.equal(
        'ENROLLED',
      );
      expect(first.enrolled).to.equal(1);
    });
  });
});
