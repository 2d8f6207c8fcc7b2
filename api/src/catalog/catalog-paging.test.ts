import { expect } from 'chai';
import request from 'supertest';
import type { SectionPage } from '../../../core/views/catalog-views.js';
import { apiInProcess, countQueries, type ApiInProcess } from '../../../test/support/api-in-process.js';
import { createBulkTerm } from '../../../test/support/catalog-world.js';

describe('catalog: paging through a term’s sections', function () {
  this.timeout(20_000);
  let api: ApiInProcess;
  let bulk: { termId: number; sectionIds: number[] };

  before(async () => {
    api = await apiInProcess();
    bulk = await createBulkTerm(api.db, 57);
  });
  after(() => api.close());

  const page = async (query: Record<string, string>) => {
    const res = await request(api.app).get(`/api/terms/${bulk.termId}/sections`).query(query);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as SectionPage;
  };

  async function walk(limit: number, extra: Record<string, string> = {}): Promise<number[][]> {
    const pages: number[][] = [];
    let cursor: string | null = null;
    do {
      const p: SectionPage = await page({ ...extra, limit: String(limit), ...(cursor ? { cursor } : {}) });
      pages.push(p.sections.map((s) => s.id));
      cursor = p.nextCursor;
      expect(pages.length, 'pages').to.be.below(100);
    } while (cursor);
    return pages;
  }

  it('walks every section exactly once, in catalogue order, whatever the page size', async () => {
    for (const limit of [1, 7, 20, 57, 100]) {
      const pages = await walk(limit);
      expect(pages.flat(), `limit ${limit}`).to.deep.equal(bulk.sectionIds);
      expect(pages.slice(0, -1).every((p) => p.length === limit)).to.equal(true);
      // The server reads one row ahead, so it never hands out a cursor to an empty page.
      expect(pages.at(-1)).to.not.be.empty;
    }
  });

  it('keeps its place when sections are added before it, and with filters on', async () => {
    const first = await page({ limit: '10' });
    // A section sorting before the cursor must not shift the next page.
    const [courseId] = await api
      .db('courses')
      .where('code', 'like', 'BK%')
      .orderBy('code')
      .limit(1)
      .pluck('id');
    await api
      .db('sections')
      .insert({ term_id: bulk.termId, course_id: courseId, section_number: 9, capacity: 5 });
    try {
      const second = await page({ limit: '10', cursor: first.nextCursor! });
      expect(second.sections.map((s) => s.id)).to.deep.equal(bulk.sectionIds.slice(10, 20));
    } finally {
      await api.db('sections').where({ term_id: bulk.termId, section_number: 9 }).delete();
    }
    const mondays = await walk(4, { day: '1,3' });
    const all = await page({ limit: '100', day: '1,3' });
    expect(mondays.flat()).to.deep.equal(all.sections.map((s) => s.id));
    expect(all.sections.length).to.be.within(1, 56);
  });

  it('costs the same, bounded number of SQL queries for a page of 5 and a page of 50 (no N+1)', async () => {
    const small = await countQueries(api.db, () => page({ limit: '5' }));
    const large = await countQueries(api.db, () => page({ limit: '50' }));
    expect(small.result.sections).to.have.length(5);
    expect(large.result.sections).to.have.length(50);
    expect(large.result.sections.every((s) => s.meetings.length === 2)).to.equal(true);
    expect(large.queries.length, large.queries.join('\n')).to.equal(small.queries.length);
    expect(large.queries.length).to.be.at.most(3);
    // And a search with every filter costs no more.
    const filtered = await countQueries(api.db, () =>
      page({ limit: '50', q: 'bulk course', day: '1,2,3,4,5', from: '08:00', to: '18:00', hasSeats: 'true' }),
    );
    expect(filtered.result.sections).to.have.length(50);
    expect(filtered.queries.length).to.equal(small.queries.length);
  });
});
