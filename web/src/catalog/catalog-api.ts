import type {
  DayOfWeek,
  MajorView,
  SectionPage,
  SectionView,
  TermView,
} from '../../../core/views/catalog-views';
import { api } from '../api/http';
import { labelOf } from '../timetable/week';

/** The catalogue's reads (public: no sign-in needed to browse). */
let terms: Promise<TermView[]> | undefined;

/** Every term, newest first, with its registration windows; read once per page load. */
export function listTerms(): Promise<TermView[]> {
  terms ??= api<{ terms: TermView[] }>('/api/terms', { auth: false })
    .then((r) => r.terms)
    .catch((err: unknown) => {
      terms = undefined; // a failure is not remembered: the next caller tries again
      throw err;
    });
  return terms;
}

export async function findTerm(termId: number): Promise<TermView | undefined> {
  return (await listTerms()).find((t) => t.id === termId);
}

export const listMajors = (termId: number) =>
  api<{ majors: MajorView[] }>(`/api/terms/${termId}/majors`, { auth: false }).then((r) => r.majors);

/** What the search form asks for; empty fields are left out of the query. */
export interface SectionSearch {
  q: string;
  majorId: number | null;
  days: DayOfWeek[];
  from: string;
  to: string;
  credits: number | null;
  hasSeats: boolean;
}

export const emptySearch = (): SectionSearch => ({
  q: '',
  majorId: null,
  days: [],
  from: '',
  to: '',
  credits: null,
  hasSeats: false,
});

/** The search as URL query parameters, the same for the page's address and the api's. */
export function searchParams(s: SectionSearch): Record<string, string> {
  const p: Record<string, string> = {};
  if (s.q.trim()) p.q = s.q.trim();
  if (s.majorId !== null) p.majorId = String(s.majorId);
  if (s.days.length > 0) p.day = [...s.days].sort().join(',');
  if (s.from) p.from = s.from;
  if (s.to) p.to = s.to;
  if (s.credits !== null) p.credits = String(s.credits);
  if (s.hasSeats) p.hasSeats = 'true';
  return p;
}

const one = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
const positive = (v: string | undefined): number | null => (v && /^[1-9]\d*$/.test(v) ? Number(v) : null);
const time = (v: string | undefined): string => (v && /^\d{2}:\d{2}$/.test(v) ? v : '');

/** The page's address back into a search; anything malformed is dropped rather than sent on. */
export function searchFromQuery(query: Record<string, unknown>): SectionSearch {
  const days = (one(query.day) ?? '')
    .split(',')
    .filter((d) => /^[1-7]$/.test(d))
    .map((d) => Number(d) as DayOfWeek);
  return {
    q: one(query.q) ?? '',
    majorId: positive(one(query.majorId)),
    days: [...new Set(days)],
    from: time(one(query.from)),
    to: time(one(query.to)),
    credits: positive(one(query.credits)),
    hasSeats: one(query.hasSeats) === 'true',
  };
}

export const PAGE_SIZE = 20;

export function searchSections(
  termId: number,
  s: SectionSearch,
  cursor: string | null,
): Promise<SectionPage> {
  const params = new URLSearchParams({ ...searchParams(s), limit: String(PAGE_SIZE) });
  if (cursor) params.set('cursor', cursor);
  return api<SectionPage>(`/api/terms/${termId}/sections?${params}`, { auth: false });
}

const sections = new Map<number, Promise<SectionView>>();

/** One section, remembered for the page's life (for naming sections a flag points at). */
export function getSection(id: number): Promise<SectionView> {
  let found = sections.get(id);
  if (!found) {
    found = api<SectionView>(`/api/sections/${id}`, { auth: false });
    void found.catch(() => sections.delete(id));
    sections.set(id, found);
  }
  return found;
}

/**
 * Labels ('CS101-01') for section ids: from the sections at hand, else read once each. An id that can't
 * be read is shown as its number rather than failing the page.
 */
export async function labelsFor(
  ids: Iterable<number>,
  known: Iterable<SectionView>,
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const s of known) out.set(s.id, labelOf(s));
  const missing = [...new Set(ids)].filter((id) => !out.has(id));
  await Promise.all(
    missing.map(async (id) => {
      out.set(id, await getSection(id).then(labelOf, () => `#${id}`));
    }),
  );
  return out;
}
