import { expect } from 'chai';
import request from 'supertest';
import type { TimetableBlock, TimetableView } from '../../../core/views/catalog-views.js';
import { apiInProcess, type ApiInProcess } from '../../../test/support/api-in-process.js';
import { createCatalogWorld, type CatalogWorld } from '../../../test/support/catalog-world.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { createTestUser } from '../../../test/support/users.js';

describe('timetable: /api/me/timetable', function () {
  this.timeout(15_000);
  let api: ApiInProcess;
  let w: CatalogWorld;
  let auth: string;
  let enrollmentId: number;

  before(async () => {
    api = await apiInProcess();
    w = await createCatalogWorld(api.db);
    const user = await createTestUser(api.db);
    auth = `Bearer ${tokenFor(api.cfg, user.id)}`;
    const data = await api.db('sections').where({ id: w.sections['data-1'] }).first('course_id', 'term_id');
    [enrollmentId] = (await api.db('enrollments').insert({
      user_id: user.id,
      section_id: w.sections['data-1'],
      course_id: data.course_id,
      term_id: data.term_id,
    })) as [number];
    for (const key of ['discrete-1', 'calc2-1', 'data-1', 'seminar-1'] as const) {
      const res = await request(api.app)
        .post('/api/me/cart')
        .set('authorization', auth)
        .send({ sectionId: w.sections[key] });
      expect(res.status).to.equal(201);
    }
  });
  after(() => api.close());

  const timetable = async (query: string) => {
    const res = await request(api.app).get(`/api/me/timetable${query}`).set('authorization', auth);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as TimetableView;
  };
  /** Blocks as 'day start section source clash', compact enough to compare whole. */
  const summary = (blocks: TimetableBlock[]) => {
    const nameOf = new Map(Object.entries(w.sections).map(([name, id]) => [id, name]));
    return blocks.map(
      (b) =>
        `${b.dayOfWeek} ${b.startsAt}-${b.endsAt} ${nameOf.get(b.sectionId)} ${b.source}${b.clash ? ' CLASH' : ''}`,
    );
  };

  it('draws enrolled and cart sections as weekly blocks, marking the ones that overlap', async () => {
    const view = await timetable(`?term=${w.termId}`);
    // data-1 is both taken and in the cart: drawn once, as taken. seminar-1 has no meetings: no block.
    expect(summary(view.blocks)).to.deep.equal([
      '1 13:00-13:50 calc2-1 cart',
      '2 09:00-10:15 data-1 enrolled CLASH',
      '2 10:00-11:15 discrete-1 cart CLASH',
      '3 13:00-13:50 calc2-1 cart',
      '4 09:00-10:15 data-1 enrolled CLASH',
      '4 10:00-11:15 discrete-1 cart CLASH',
    ]);
    expect(view).to.include({
      termId: w.termId,
      enrolledCredits: 3,
      cartCredits: 3 + 4 + 2,
      creditLimit: 18,
    });
    const taken = view.blocks.find((b) => b.source === 'enrolled');
    expect(taken).to.deep.include({
      sectionId: w.sections['data-1'],
      courseCode: w.courses.data.code,
      title: 'Data Structures',
      sectionNumber: 1,
      credits: 3,
      professor: 'Minji Kwon',
      room: 'R209',
      enrollmentId,
    });
    expect(view.blocks.filter((b) => b.source === 'cart').every((b) => b.enrollmentId === null)).to.equal(
      true,
    );
  });

  it('leaves the cart out with cart=false, so nothing clashes any more', async () => {
    const view = await timetable(`?term=${w.termId}&cart=false`);
    expect(summary(view.blocks)).to.deep.equal([
      '2 09:00-10:15 data-1 enrolled',
      '4 09:00-10:15 data-1 enrolled',
    ]);
    expect(view.cartCredits).to.equal(9);
  });

  it('refuses bad parameters and knows an unknown term', async () => {
    for (const q of ['', `?term=${w.termId}&cart=yes`, '?term=-1', `?term=${w.termId}&week=1`]) {
      const res = await request(api.app).get(`/api/me/timetable${q}`).set('authorization', auth);
      expect(res.status, q).to.equal(400);
    }
    const res = await request(api.app)
      .get('/api/me/timetable?term=9007199254740991')
      .set('authorization', auth);
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('TERM_NOT_FOUND');
    expect((await request(api.app).get(`/api/me/timetable?term=${w.termId}`)).status).to.equal(401);
  });
});
