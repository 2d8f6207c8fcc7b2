import { expect } from 'chai';
import request from 'supertest';
import type { CartFlag, CartView } from '../../../core/views/catalog-views.js';
import { apiInProcess, countQueries, type ApiInProcess } from '../../../test/support/api-in-process.js';
import {
  createBulkTerm,
  createCatalogWorld,
  type CatalogWorld,
} from '../../../test/support/catalog-world.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { createTestUser } from '../../../test/support/users.js';
import { CART_MAX_ITEMS } from './cart-store.js';

describe('cart: /api/me/cart', function () {
  this.timeout(20_000);
  let api: ApiInProcess;
  let w: CatalogWorld;

  before(async () => {
    api = await apiInProcess();
    w = await createCatalogWorld(api.db);
  });
  after(() => api.close());

  /** A fresh student and a bearer header for them. */
  async function student(creditLimit?: number) {
    const user = await createTestUser(api.db);
    if (creditLimit !== undefined)
      await api.db('users').where({ id: user.id }).update({ credit_limit: creditLimit });
    return { id: user.id, auth: `Bearer ${tokenFor(api.cfg, user.id)}` };
  }
  type Student = Awaited<ReturnType<typeof student>>;

  const add = (s: Student, sectionId: number) =>
    request(api.app).post('/api/me/cart').set('authorization', s.auth).send({ sectionId });
  const remove = (s: Student, sectionId: number) =>
    request(api.app).delete(`/api/me/cart/${sectionId}`).set('authorization', s.auth);
  const cartOf = async (s: Student, termId = w.termId) => {
    const res = await request(api.app).get(`/api/me/cart?term=${termId}`).set('authorization', s.auth);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as CartView;
  };
  /** The section ids in the cart with their flags, by the world's section names. */
  const flagsOf = (cart: CartView) => {
    const nameOf = new Map(Object.entries(w.sections).map(([name, id]) => [id, name]));
    return Object.fromEntries(
      cart.items.map((i) => [nameOf.get(i.section.id) ?? String(i.section.id), i.flags]),
    );
  };
  async function enroll(userId: number, key: keyof CatalogWorld['sections']) {
    const section = await api
      .db('sections')
      .where({ id: w.sections[key] })
      .first('id', 'course_id', 'term_id');
    const [id] = await api.db('enrollments').insert({
      user_id: userId,
      section_id: section.id,
      course_id: section.course_id,
      term_id: section.term_id,
    });
    return id as number;
  }

  it('adds a section (201) and answers the whole cart; adding it again is a 200 with no duplicate', async () => {
    const s = await student();
    const first = await add(s, w.sections['intro-1']);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const cart = first.body as CartView;
    expect(cart).to.include({ termId: w.termId, cartCredits: 3, enrolledCredits: 0, creditLimit: 18 });
    expect(cart.items).to.have.length(1);
    expect(cart.items[0]!.section.course.code).to.equal(w.courses.intro.code);
    expect(cart.items[0]!.section.meetings).to.have.length(3);
    expect(cart.items[0]!.flags).to.deep.equal([]);
    expect(Date.parse(cart.items[0]!.addedAt)).to.be.closeTo(Date.now(), 60_000);

    const again = await add(s, w.sections['intro-1']);
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal(cart);
    expect(await api.db('cart_items').where({ user_id: s.id }).count({ n: '*' })).to.deep.equal([{ n: 1 }]);
  });

  it('needs no admission token and works outside any registration window', async () => {
    // The world's term has no window at all.
    const s = await student();
    expect((await add(s, w.sections['theory-1'])).status).to.equal(201);
  });

  it('refuses a deactivated section with 409 SECTION_INACTIVE and adds nothing', async () => {
    const s = await student();
    const id = w.sections['theory-1'];
    await api.db('sections').where({ id }).update({ active: false });
    try {
      const res = await add(s, id);
      expect(res.status, JSON.stringify(res.body)).to.equal(409);
      expect(res.body.error.code).to.equal('SECTION_INACTIVE');
      expect(await api.db('cart_items').where({ user_id: s.id }).count({ n: '*' })).to.deep.equal([{ n: 0 }]);
    } finally {
      // The world is shared by the file's tests.
      await api.db('sections').where({ id }).update({ active: true });
    }
  });

  it('refuses an unknown section with 404 SECTION_NOT_FOUND and a malformed body with 400', async () => {
    const s = await student();
    const unknown = await add(s, 9_007_199_254_740_991);
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal('SECTION_NOT_FOUND');
    for (const body of [
      {},
      { sectionId: '1' },
      { sectionId: 0 },
      { sectionId: 1.5 },
      { sectionId: 1, extra: 1 },
      [],
    ]) {
      const res = await request(api.app).post('/api/me/cart').set('authorization', s.auth).send(body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    const malformed = await request(api.app)
      .post('/api/me/cart')
      .set('authorization', s.auth)
      .set('content-type', 'application/json')
      .send('{"sectionId":');
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error.code).to.equal('MALFORMED_JSON');
  });

  it('flags a time clash with another cart item and with an enrolled section, both ways', async () => {
    const s = await student();
    await enroll(s.id, 'data-1'); // Tue/Thu 09:00-10:15
    await add(s, w.sections['intro-1']); // MWF 09:00-09:50
    await add(s, w.sections['algo-1']); // MW 09:30-10:20: clashes with intro-1
    await add(s, w.sections['discrete-1']); // Tue/Thu 10:00-11:15: clashes with data-1 (enrolled)
    await add(s, w.sections['calc2-1']); // MW 13:00: clashes with nothing
    const flags = flagsOf(await cartOf(s));
    expect(flags['intro-1']).to.deep.equal([{ code: 'TIME_CLASH', withSectionIds: [w.sections['algo-1']] }]);
    expect(flags['algo-1']).to.deep.equal([{ code: 'TIME_CLASH', withSectionIds: [w.sections['intro-1']] }]);
    expect(flags['discrete-1']).to.deep.equal([
      { code: 'TIME_CLASH', withSectionIds: [w.sections['data-1']] },
    ]);
    // calc2-1 is full: flagged for that alone.
    expect(flags['calc2-1']).to.deep.equal([{ code: 'FULL' }]);
  });

  it('flags a second section of one course, and a section already taken', async () => {
    const s = await student();
    await enroll(s.id, 'theory-1');
    await add(s, w.sections['intro-1']);
    const res = await add(s, w.sections['intro-2']);
    expect(res.status).to.equal(201);
    await add(s, w.sections['theory-1']);
    const cart = await cartOf(s);
    const flags = flagsOf(cart);
    expect(flags['intro-1']).to.deep.equal([
      { code: 'SAME_COURSE', withSectionIds: [w.sections['intro-2']] },
    ]);
    expect(flags['intro-2']).to.deep.equal([
      { code: 'SAME_COURSE', withSectionIds: [w.sections['intro-1']] },
    ]);
    expect(flags['theory-1']).to.deep.equal([{ code: 'ALREADY_ENROLLED' }]);
    // A course counts once, and what is already taken is not counted again.
    expect(cart).to.include({ enrolledCredits: 3, cartCredits: 3 });
  });

  it('flags the items that take cart and enrolled credits over the limit, in the order they were added', async () => {
    const s = await student(9);
    await enroll(s.id, 'intro-2'); // 3
    await add(s, w.sections['calc1-1']); // 4 → 7
    await add(s, w.sections['theory-1']); // 3 → 10, over 9
    await add(s, w.sections['seminar-1']); // 2 → 12
    const cart = await cartOf(s);
    const over = (n: number): CartFlag => ({ code: 'OVER_CREDIT_LIMIT', credits: n, creditLimit: 9 });
    const flags = flagsOf(cart);
    expect(flags['calc1-1']).to.deep.equal([]);
    expect(flags['theory-1']).to.deep.equal([over(10)]);
    expect(flags['seminar-1']).to.deep.equal([over(12)]);
    expect(cart).to.include({ enrolledCredits: 3, cartCredits: 9, creditLimit: 9 });
    // Removing the big one brings the rest under the limit: flags are computed on every read.
    const after = await remove(s, w.sections['calc1-1']);
    expect(after.status).to.equal(200);
    expect(flagsOf(after.body as CartView)).to.deep.equal({ 'theory-1': [], 'seminar-1': [] });
  });

  it('removes an item, and answers 404 CART_ITEM_NOT_FOUND for one not in the cart', async () => {
    const s = await student();
    await add(s, w.sections['intro-1']);
    await add(s, w.sections['calc1-1']);
    const res = await remove(s, w.sections['intro-1']);
    expect(res.status).to.equal(200);
    expect((res.body as CartView).items.map((i) => i.section.id)).to.deep.equal([w.sections['calc1-1']]);
    for (const id of [w.sections['intro-1'], 9_007_199_254_740_991]) {
      const again = await remove(s, id);
      expect(again.status).to.equal(404);
      expect(again.body.error.code).to.equal('CART_ITEM_NOT_FOUND');
    }
    const bad = await request(api.app).delete('/api/me/cart/01').set('authorization', s.auth);
    expect(bad.status).to.equal(400);
  });

  it('only ever shows and changes the caller’s own cart', async () => {
    const a = await student();
    const b = await student();
    await add(a, w.sections['intro-1']);
    expect((await cartOf(b)).items).to.deep.equal([]);
    const steal = await remove(b, w.sections['intro-1']);
    expect(steal.status).to.equal(404);
    expect((await cartOf(a)).items.map((i) => i.section.id)).to.deep.equal([w.sections['intro-1']]);
    await add(b, w.sections['calc1-1']);
    expect((await cartOf(a)).items).to.have.length(1);
  });

  it('needs a signed-in user, a valid term, and knows an unknown one', async () => {
    const s = await student();
    expect((await request(api.app).get(`/api/me/cart?term=${w.termId}`)).status).to.equal(401);
    expect((await request(api.app).post('/api/me/cart').send({ sectionId: 1 })).status).to.equal(401);
    for (const q of ['', '?term=', '?term=0x1', '?term=1&foo=2', '?term=1&term=2']) {
      const res = await request(api.app).get(`/api/me/cart${q}`).set('authorization', s.auth);
      expect(res.status, q).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    const unknown = await request(api.app)
      .get('/api/me/cart?term=9007199254740991')
      .set('authorization', s.auth);
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal('TERM_NOT_FOUND');
  });

  it(`holds at most ${CART_MAX_ITEMS} sections per term (409 CART_FULL), even when adds race`, async () => {
    const bulk = await createBulkTerm(api.db, CART_MAX_ITEMS + 5);
    const s = await student();
    await api
      .db('cart_items')
      .insert(bulk.sectionIds.slice(0, CART_MAX_ITEMS - 2).map((id) => ({ user_id: s.id, section_id: id })));
    const racing = await Promise.all(bulk.sectionIds.slice(CART_MAX_ITEMS - 2).map((id) => add(s, id)));
    expect(racing.filter((r) => r.status === 201)).to.have.length(2);
    const refused = racing.filter((r) => r.status !== 201);
    expect(refused).to.have.length(5);
    for (const r of refused) {
      expect(r.status).to.equal(409);
      expect(r.body.error.code).to.equal('CART_FULL');
    }
    expect((await cartOf(s, bulk.termId)).items).to.have.length(CART_MAX_ITEMS);
    // Another term's cart is its own.
    expect((await add(s, w.sections['intro-1'])).status).to.equal(201);
  });

  it('reads a cart in the same few queries whatever its size', async () => {
    const small = await student();
    const big = await student();
    await add(small, w.sections['intro-1']);
    for (const key of Object.keys(w.sections) as (keyof CatalogWorld['sections'])[]) {
      await add(big, w.sections[key]);
    }
    await enroll(big.id, 'data-1');
    const one = await countQueries(api.db, () => cartOf(small));
    const many = await countQueries(api.db, () => cartOf(big));
    expect(many.result.items).to.have.length(Object.keys(w.sections).length);
    expect(many.queries.length).to.equal(one.queries.length);
    expect(many.queries.length).to.be.at.most(4);
  });
});
