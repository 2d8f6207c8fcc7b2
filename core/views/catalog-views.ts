/**
 * What the api answers for the catalog, the cart and the timetable. Types only (no runtime code), so the
 * web app imports them with `import type` and the server's read models are checked against the same shapes.
 * Times of day are 'HH:MM' in the school's local time as stored; instants are ISO 8601 UTC strings.
 */

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type DayOfWeek = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface MeetingView {
  dayOfWeek: DayOfWeek;
  startsAt: string;
  endsAt: string;
  room: string;
}

export interface MajorView {
  id: number;
  code: string;
  name: string;
}

export interface SectionView {
  id: number;
  termId: number;
  sectionNumber: number;
  capacity: number;
  enrolled: number;
  seatsLeft: number;
  course: {
    id: number;
    code: string;
    title: string;
    credits: number;
    description: string | null;
    major: MajorView;
  };
  professor: { id: number; name: string };
  meetings: MeetingView[];
}

/** GET /api/terms/:termId/sections; `nextCursor` goes back as `?cursor=` for the next page. */
export interface SectionPage {
  sections: SectionView[];
  nextCursor: string | null;
}

export interface RegistrationWindowView {
  id: number;
  name: string;
  grades: number[];
  opensAt: string;
  closesAt: string;
  /** The waiting room that fronts this window, if any. */
  roomId: number | null;
}

/** GET /api/terms: terms with their registration windows (newest term first). */
export interface TermView {
  id: number;
  code: string;
  name: string;
  startsOn: string;
  endsOn: string;
  windows: RegistrationWindowView[];
}

/**
 * Why a cart item deserves a second look. Adding is never refused for these: the student decides, and
 * the commit applies the real rules when the cart is submitted.
 */
export type CartFlag =
  | { code: 'TIME_CLASH'; withSectionIds: number[] }
  | { code: 'SAME_COURSE'; withSectionIds: number[] }
  | { code: 'ALREADY_ENROLLED' }
  | { code: 'OVER_CREDIT_LIMIT'; credits: number; creditLimit: number }
  | { code: 'FULL' };

export interface CartItemView {
  section: SectionView;
  addedAt: string;
  flags: CartFlag[];
}

/** GET /api/me/cart?term= (and the body of every cart change's answer). */
export interface CartView {
  termId: number;
  items: CartItemView[];
  cartCredits: number;
  enrolledCredits: number;
  creditLimit: number;
}

export interface TimetableBlock {
  sectionId: number;
  courseCode: string;
  title: string;
  sectionNumber: number;
  credits: number;
  professor: string;
  dayOfWeek: DayOfWeek;
  startsAt: string;
  endsAt: string;
  room: string;
  source: 'enrolled' | 'cart';
  /** Set for enrolled blocks: DELETE /api/enrollments/:enrollmentId drops it. */
  enrollmentId: number | null;
  /** Overlaps another block of the same view. */
  clash: boolean;
}

/** GET /api/me/timetable?term=&cart=true */
export interface TimetableView {
  termId: number;
  blocks: TimetableBlock[];
  enrolledCredits: number;
  cartCredits: number;
  creditLimit: number;
}
