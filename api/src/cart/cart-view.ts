import { clashesAmong, minutesOfDay, type Meeting } from '../../../core/timetable/meetings.js';
import type { CartFlag, CartView, MeetingView, SectionView } from '../../../core/views/catalog-views.js';
import type { TermPlan } from './term-plan-read-model.js';

export const meetingMinutes = (m: MeetingView): Meeting => ({
  day: m.dayOfWeek,
  start: minutesOfDay(m.startsAt),
  end: minutesOfDay(m.endsAt),
});

/**
 * What the student's credits come to. A course counts once: a section already taken adds nothing, and
 * of two sections of one course in the cart (flagged SAME_COURSE) only the first added counts, since
 * only one can be taken. `runningAfter` is the total after each cart section, in the order added.
 */
export function planCredits(plan: TermPlan): {
  enrolled: number;
  cart: number;
  runningAfter: Map<number, number>;
} {
  const counted = new Set<number>();
  let enrolled = 0;
  for (const { section } of plan.enrolled) {
    if (counted.has(section.course.id)) continue;
    counted.add(section.course.id);
    enrolled += section.course.credits;
  }
  let cart = 0;
  const runningAfter = new Map<number, number>();
  for (const { section } of plan.cart) {
    if (!counted.has(section.course.id)) {
      counted.add(section.course.id);
      cart += section.course.credits;
    }
    runningAfter.set(section.id, enrolled + cart);
  }
  return { enrolled, cart, runningAfter };
}

/**
 * The cart with a second look at every item, computed on each read so it follows enrollments, drops and
 * seats as they change. Flags never stop an add: the commit applies the real rules.
 */
export function toCartView(plan: TermPlan): CartView {
  const enrolledIds = new Set(plan.enrolled.map((e) => e.section.id));
  // Keyed by section: a section both taken and in the cart is one timetable, not a clash with itself.
  const all = new Map<number, SectionView>();
  for (const { section } of [...plan.enrolled, ...plan.cart]) all.set(section.id, section);
  const clashes = clashesAmong(new Map([...all].map(([id, s]) => [id, s.meetings.map(meetingMinutes)])));
  const credits = planCredits(plan);

  const items = plan.cart.map(({ section, addedAt }) => {
    const flags: CartFlag[] = [];
    if (enrolledIds.has(section.id)) flags.push({ code: 'ALREADY_ENROLLED' });
    const sameCourse = [...all.values()]
      .filter((s) => s.id !== section.id && s.course.id === section.course.id)
      .map((s) => s.id);
    if (sameCourse.length > 0) flags.push({ code: 'SAME_COURSE', withSectionIds: sameCourse.sort(byNumber) });
    const clashing = clashes.get(section.id);
    if (clashing) flags.push({ code: 'TIME_CLASH', withSectionIds: [...clashing].sort(byNumber) });
    const running = credits.runningAfter.get(section.id) ?? 0;
    if (!enrolledIds.has(section.id) && running > plan.creditLimit) {
      flags.push({ code: 'OVER_CREDIT_LIMIT', credits: running, creditLimit: plan.creditLimit });
    }
    if (section.seatsLeft === 0) flags.push({ code: 'FULL' });
    return { section, addedAt, flags };
  });
  return {
    termId: plan.termId,
    items,
    cartCredits: credits.cart,
    enrolledCredits: credits.enrolled,
    creditLimit: plan.creditLimit,
  };
}

const byNumber = (a: number, b: number) => a - b;
