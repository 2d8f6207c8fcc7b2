import type { Knex } from 'knex';
import { sectionQuery } from '../../api/src/catalog/catalog-params.js';
import { sectionPage } from '../../api/src/catalog/catalog-read-model.js';
import type { Random } from '../seed/random.js';

/** One search as a student's browser sends it: the query string of GET /api/terms/:termId/sections. */
export type SearchParams = Record<string, string>;

interface CatalogWords {
  titleWords: string[];
  shortWords: string[];
  professorNames: string[];
  codes: string[];
  majorCodes: string[];
  majorIds: number[];
}

/** What people type: words of real titles, professors' surnames, course codes and their prefixes. */
async function catalogWords(db: Knex, termId: number): Promise<CatalogWords> {
  const courses = await db('courses as c')
    .whereExists(
      db('sections as s').select(db.raw('1')).whereRaw('s.course_id = c.id').andWhere('s.term_id', termId),
    )
    .select<{ code: string; title: string }[]>('c.code', 'c.title');
  const words = courses.flatMap((c) => c.title.split(/[^\p{L}\p{N}]+/u).filter(Boolean));
  const professors = await db('professors').pluck<string[]>('name');
  const majors = await db('majors').select<{ id: number; code: string }[]>('id', 'code');
  return {
    titleWords: [...new Set(words.filter((w) => w.length >= 4).map((w) => w.toLowerCase()))],
    shortWords: ['I', 'II', 'of', 'to'],
    professorNames: [...new Set(professors.map((n) => n.split(' ').at(-1) ?? n))],
    codes: courses.map((c) => c.code),
    majorCodes: majors.map((m) => m.code),
    majorIds: majors.map((m) => m.id),
  };
}

const DAY_SETS = ['1,3,5', '2,4', '1,3', '1,2,3,4,5'];
const RANGES: [string, string][] = [
  ['09:00', '12:00'],
  ['08:00', '13:00'],
  ['12:00', '18:00'],
];

/** One search of the mix, by kind with weights roughly as a registration week's traffic might have them. */
function oneSearch(rnd: Random, w: CatalogWords): SearchParams {
  const kind = rnd.weighted<string>([
    ['title', 0.22],
    ['titleTwoWords', 0.06],
    ['titlePrefix', 0.06],
    ['professor', 0.08],
    ['code', 0.05],
    ['codePrefix', 0.06],
    ['major', 0.12],
    ['majorSeats', 0.05],
    ['time', 0.08],
    ['textAndFilters', 0.08],
    ['browse', 0.14],
  ]);
  const limit = rnd.chance(0.2) ? '50' : '20';
  switch (kind) {
    case 'title':
      return { q: rnd.pick(w.titleWords), limit };
    case 'titleTwoWords':
      return { q: `${rnd.pick(w.titleWords)} ${rnd.pick(w.shortWords)}`, limit };
    case 'titlePrefix':
      return { q: rnd.pick(w.titleWords).slice(0, rnd.int(3, 5)), limit };
    case 'professor':
      return { q: rnd.pick(w.professorNames), limit };
    case 'code':
      return { q: rnd.pick(w.codes), limit };
    case 'codePrefix':
      return { q: `${rnd.pick(w.majorCodes)}${rnd.int(1, 4)}`, limit };
    case 'major':
      return { majorId: String(rnd.pick(w.majorIds)), limit };
    case 'majorSeats':
      return { majorId: String(rnd.pick(w.majorIds)), hasSeats: 'true', credits: '3', limit };
    case 'time': {
      const [from, to] = rnd.pick(RANGES);
      return { day: rnd.pick(DAY_SETS), from, to, limit };
    }
    case 'textAndFilters':
      return { q: rnd.pick(w.titleWords), day: rnd.pick(DAY_SETS), hasSeats: 'true', limit };
    default:
      return { limit };
  }
}

/**
 * `count` searches that each find something (an empty answer is a different, cheaper request), a fifth
 * of them for a later page of a search with more than one, following the cursor the first page gave.
 */
export async function catalogSearches(
  db: Knex,
  termId: number,
  rnd: Random,
  count: number,
): Promise<SearchParams[]> {
  const w = await catalogWords(db, termId);
  const out: SearchParams[] = [];
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const params = oneSearch(rnd, w);
    const page = await sectionPage(db, termId, sectionQuery.parse(params));
    if (!page || page.sections.length === 0) continue;
    out.push(params);
    if (page.nextCursor && rnd.chance(0.25) && out.length < count) {
      out.push({ ...params, cursor: page.nextCursor });
    }
  }
  return out;
}
