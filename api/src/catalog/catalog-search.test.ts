import { expect } from 'chai';
import request from 'supertest';
import type { SectionPage, SectionView, TermView } from '../../../core/views/catalog-views.js';
import { apiInProcess, type ApiInProcess } from '../../../test/support/api-in-process.js';
import { createCatalogWorld, type CatalogWorld } from '../../../test/support/catalog-world.js';

describe('catalog: terms, majors and searching a term’s sections', function () {
  this.timeout(15_000);
  let api: ApiInProcess;
  let w: CatalogWorld;
  /** Another term's world: nothing of it may ever show up in `w`'s listings. */
  let other: CatalogWorld;

  before(async () => {
    api = await apiInProcess();
    w = await createCatalogWorld(api.db);
    other = await createCatalogWorld(api.db);
  });
  after(() => api.close());

  /** Every section the search finds, as `<course key>-<n>` names from the world, in the order listed. */
  async function search(query: Record<string, string | string[]>): Promise<string[]> {
    const res = await request(api.app)
      .get(`/api/terms/${w.termId}/sections`)
      .query({ limit: '100', ...query });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const page = res.body as SectionPage;
    const nameOf = new Map(Object.entries(w.sections).map(([name, id]) => [id, name]));
    return page.sections.map((s) => nameOf.get(s.id) ?? `foreign section ${s.id}`);
  }

  it('lists a term with its registration windows and the room fronting each, newest term first', async () => {
    const [windowId] = await api.db('registration_windows').insert({
      term_id: w.termId,
      name: 'Seniors first',
      grades: JSON.stringify([4]),
      opens_at: new Date('2027-02-10T00:00:00.000Z'),
      closes_at: new Date('2027-02-11T00:00:00.000Z'),
    });
    const [everyoneId] = await api.db('registration_windows').insert({
      term_id: w.termId,
      name: 'Everyone',
      grades: JSON.stringify([1, 2, 3, 4]),
      opens_at: new Date('2027-02-12T00:00:00.000Z'),
      closes_at: new Date('2027-02-13T00:00:00.000Z'),
    });
    const [roomId] = await api.db('waiting_rooms').insert({
      slug: `catalog-${w.tag.toLowerCase()}`,
      name: 'Seniors',
      kind: 'registration',
      registration_window_id: windowId,
      admission_rate_per_min: 100,
      max_active: 100,
      prequeue_opens_at: new Date('2027-02-09T23:00:00.000Z'),
      opens_at: new Date('2027-02-10T00:00:00.000Z'),
    });
    const res = await request(api.app).get('/api/terms');
    expect(res.status).to.equal(200);
    const terms = res.body.terms as TermView[];
    const term = terms.find((t) => t.id === w.termId);
    expect(term).to.deep.equal({
      id: w.termId,
      code: `W-${w.tag}`,
      name: `World ${w.tag}`,
      startsOn: '2027-03-02',
      endsOn: '2027-06-20',
      windows: [
        {
          id: windowId,
          name: 'Seniors first',
          grades: [4],
          opensAt: '2027-02-10T00:00:00.000Z',
          closesAt: '2027-02-11T00:00:00.000Z',
          roomId,
        },
        {
          id: everyoneId,
          name: 'Everyone',
          grades: [1, 2, 3, 4],
          opensAt: '2027-02-12T00:00:00.000Z',
          closesAt: '2027-02-13T00:00:00.000Z',
          roomId: null,
        },
      ],
    });
    const starts = terms.map((t) => t.startsOn);
    expect(starts).to.deep.equal([...starts].sort().reverse());
  });

  it('lists the majors that offer sections in the term, for the filter', async () => {
    const res = await request(api.app).get(`/api/terms/${w.termId}/majors`);
    expect(res.status).to.equal(200);
    expect(res.body.majors).to.deep.equal([
      { id: w.majors.cs, code: `CS${w.tag}`, name: `Computing ${w.tag}` },
      { id: w.majors.math, code: `MA${w.tag}`, name: `Mathematics ${w.tag}` },
    ]);
  });

  it('lists every section of the term in course code, section number order, and nothing of other terms', async () => {
    expect(await search({})).to.deep.equal([
      'intro-1',
      'intro-2',
      'data-1',
      'discrete-1',
      'algo-1',
      'theory-1',
      'calc1-1',
      'calc2-1',
      'seminar-1',
    ]);
  });

  it('gives each section its course, major, professor, weekly meetings and seats left', async () => {
    const res = await request(api.app).get(`/api/sections/${w.sections['intro-2']}`);
    expect(res.status).to.equal(200);
    expect(res.body as SectionView).to.deep.equal({
      id: w.sections['intro-2'],
      termId: w.termId,
      sectionNumber: 2,
      capacity: 40,
      enrolled: 10,
      seatsLeft: 30,
      course: {
        id: w.courses.intro.id,
        code: w.courses.intro.code,
        title: 'Introduction to Programming',
        credits: 3,
        description: `Introduction to Programming, as taught in world ${w.tag}.`,
        major: { id: w.majors.cs, code: `CS${w.tag}`, name: `Computing ${w.tag}` },
      },
      professor: { id: w.professors.kwon, name: 'Minji Kwon' },
      meetings: [
        { dayOfWeek: 2, startsAt: '10:30', endsAt: '11:45', room: 'R210' },
        { dayOfWeek: 4, startsAt: '10:30', endsAt: '11:45', room: 'R410' },
      ],
    });
  });

  describe('text search (q)', () => {
    it('finds a course by its full code, in any case', async () => {
      expect(await search({ q: w.courses.data.code.toLowerCase() })).to.deep.equal(['data-1']);
    });

    it('finds courses by the start of a code (CS<tag>1 lists the 100-level ones)', async () => {
      expect(await search({ q: `CS${w.tag}1` })).to.deep.equal(['intro-1', 'intro-2']);
    });

    it('finds a title word, and the start of one', async () => {
      expect(await search({ q: 'structures' })).to.deep.equal(['data-1']);
      expect(await search({ q: 'algo' })).to.deep.equal(['algo-1']);
      expect(await search({ q: 'Calculus' })).to.deep.equal(['calc1-1', 'calc2-1']);
    });

    it('finds every course of a professor by either name', async () => {
      expect(await search({ q: 'kwon' })).to.deep.equal(['intro-1', 'intro-2', 'data-1', 'seminar-1']);
      expect(await search({ q: 'Minji' })).to.deep.equal(['intro-1', 'intro-2', 'data-1', 'seminar-1']);
    });

    it('needs every word to match something: a professor and a title word narrow each other', async () => {
      expect(await search({ q: 'kwon data' })).to.deep.equal(['data-1']);
      expect(await search({ q: 'hart calculus' })).to.deep.equal(['calc1-1', 'calc2-1']);
      expect(await search({ q: 'kwon calculus' })).to.deep.equal([]);
    });

    it('still finds something for words the FULLTEXT index does not hold (short words, stopwords)', async () => {
      // 'Da' is under innodb_ft_min_token_size; 'the' is an InnoDB stopword (found here as the start of 'Theory').
      expect(await search({ q: 'Da' })).to.deep.equal(['data-1']);
      expect(await search({ q: 'the' })).to.deep.equal(['theory-1']);
      expect(await search({ q: 'calculus ii' })).to.deep.equal(['calc2-1']);
    });

    it('treats search operators and punctuation as spaces, and a query of none as no filter', async () => {
      expect(await search({ q: '+data* -"structures' })).to.deep.equal(['data-1']);
      expect(await search({ q: "100%_' OR 1=1 --" })).to.deep.equal([]);
      expect(await search({ q: '  ' })).to.have.length(9);
    });
  });

  describe('filters', () => {
    it('by major, professor and credits', async () => {
      expect(await search({ majorId: String(w.majors.math) })).to.deep.equal([
        'calc1-1',
        'calc2-1',
        'seminar-1',
      ]);
      expect(await search({ professorId: String(w.professors.hart) })).to.deep.equal([
        'discrete-1',
        'algo-1',
        'theory-1',
        'calc1-1',
        'calc2-1',
      ]);
      expect(await search({ credits: '4' })).to.deep.equal(['calc1-1', 'calc2-1']);
      expect(await search({ majorId: String(other.majors.math) })).to.deep.equal([]);
    });

    it('by day: every meeting falls on one of the days given (repeated or comma-separated)', async () => {
      expect(await search({ day: ['2', '4'] })).to.deep.equal(['intro-2', 'data-1', 'discrete-1']);
      expect(await search({ day: '2,4' })).to.deep.equal(['intro-2', 'data-1', 'discrete-1']);
      expect(await search({ day: '6' })).to.deep.equal(['theory-1']);
      expect(await search({ day: ['1,3', '5'] })).to.deep.equal(['intro-1', 'algo-1', 'calc2-1']);
    });

    it('by time: every meeting lies within from–to (a section with no meetings never does)', async () => {
      expect(await search({ from: '09:00', to: '10:00' })).to.deep.equal(['intro-1']);
      expect(await search({ from: '13:00' })).to.deep.equal(['calc2-1']);
      expect(await search({ to: '10:30' })).to.deep.equal(['intro-1', 'data-1', 'algo-1']);
      expect(await search({ day: '1,3', to: '12:00' })).to.deep.equal(['algo-1']);
    });

    it('by seats left, and all filters at once', async () => {
      const all = await search({});
      expect(await search({ hasSeats: 'true' })).to.deep.equal(all.filter((s) => s !== 'calc2-1'));
      expect(await search({ hasSeats: 'false' })).to.deep.equal(all);
      expect(
        await search({
          q: 'calc',
          majorId: String(w.majors.math),
          professorId: String(w.professors.hart),
          credits: '4',
          day: '1,2,3,5',
          from: '08:00',
          to: '18:00',
          hasSeats: 'true',
        }),
      ).to.deep.equal(['calc1-1']);
    });
  });

  it('answers an empty page for a term without sections, and 404 for no such term', async () => {
    const [termId] = await api.db('terms').insert({
      code: `E-${w.tag}`,
      name: 'Empty',
      starts_on: '2030-03-01',
      ends_on: '2030-06-30',
    });
    const empty = await request(api.app).get(`/api/terms/${termId}/sections`);
    expect(empty.status).to.equal(200);
    expect(empty.body).to.deep.equal({ sections: [], nextCursor: null });
    expect((await request(api.app).get(`/api/terms/${termId}/majors`)).body).to.deep.equal({ majors: [] });
    for (const path of ['sections', 'majors']) {
      const res = await request(api.app).get(`/api/terms/9007199254740991/${path}`);
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal('TERM_NOT_FOUND');
    }
  });

  it('answers 404 SECTION_NOT_FOUND for a section that does not exist', async () => {
    const res = await request(api.app).get('/api/sections/9007199254740991');
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('SECTION_NOT_FOUND');
  });
});
