import { meetingsOverlap } from '../../../core/timetable/meetings.js';
import type { SectionView, TimetableBlock, TimetableView } from '../../../core/views/catalog-views.js';
import { meetingMinutes, planCredits } from './cart-view.js';
import type { TermPlan } from './term-plan-read-model.js';

/**
 * The student's week: a block per weekly meeting of what they take and, with `withCart`, of what their
 * cart holds (a cart section already taken is drawn once, as taken). A block clashes when it overlaps a
 * block of another section in the same view.
 */
export function toTimetableView(plan: TermPlan, withCart: boolean): TimetableView {
  const blocks: TimetableBlock[] = [];
  const drawn = new Set<number>();
  const draw = (section: SectionView, source: TimetableBlock['source'], enrollmentId: number | null) => {
    if (drawn.has(section.id)) return;
    drawn.add(section.id);
    for (const m of section.meetings) {
      blocks.push({
        sectionId: section.id,
        courseCode: section.course.code,
        title: section.course.title,
        sectionNumber: section.sectionNumber,
        credits: section.course.credits,
        professor: section.professor.name,
        dayOfWeek: m.dayOfWeek,
        startsAt: m.startsAt,
        endsAt: m.endsAt,
        room: m.room,
        source,
        enrollmentId,
        clash: false,
      });
    }
  };
  for (const e of plan.enrolled) draw(e.section, 'enrolled', e.enrollmentId);
  if (withCart) for (const c of plan.cart) draw(c.section, 'cart', null);

  const timed = blocks.map((block) => ({ block, at: meetingMinutes(block) }));
  for (const a of timed) {
    a.block.clash = timed.some((b) => b.block.sectionId !== a.block.sectionId && meetingsOverlap(a.at, b.at));
  }
  blocks.sort(
    (a, b) => a.dayOfWeek - b.dayOfWeek || a.startsAt.localeCompare(b.startsAt) || a.sectionId - b.sectionId,
  );
  const credits = planCredits(plan);
  return {
    termId: plan.termId,
    blocks,
    enrolledCredits: credits.enrolled,
    // What the cart holds, also when its blocks are not drawn (cart=false), so the total can be shown.
    cartCredits: credits.cart,
    creditLimit: plan.creditLimit,
  };
}
