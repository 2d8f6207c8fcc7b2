import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createDb } from '../../core/db.js';
import { seriousViolations } from '../support/axe.js';
import { collectProblems, launchBrowser, screenshotPath } from '../support/browser.js';
import { createBulkTerm } from '../support/catalog-world.js';
import { testConfig } from '../support/test-config.js';
import { tokenFor } from '../support/tokens.js';
import { createTestUser, type TestUser } from '../support/users.js';
import { startWebStack, type WebStack } from '../support/web-stack.js';

/**
 * The acceptance journey (a), in a real browser against the real processes behind the gateway:
 * a student signs in, searches the catalogue, fills the cart (one time clash flagged), waits in the
 * waiting room through its opening, is admitted, enrolls the whole cart as one request, sees each
 * section's outcome arrive live and the timetable follow, and drops a course.
 */
type Meetings = [day: number, start: string, end: string][];

interface World {
  termId: number;
  roomId: number;
  tag: string;
  majors: { cse: number; mat: number };
  /** By short name: section id and its label as the pages show it ('CSE1A2B3C101-01'). */
  sections: Record<SectionKey, { id: number; label: string }>;
}

const COURSES = {
  intro: { major: 'cse', num: 101, title: 'Introduction to Programming', prof: 'Minji Kim' },
  data: { major: 'cse', num: 201, title: 'Data Structures', prof: 'Minji Kim' },
  discrete: { major: 'cse', num: 202, title: 'Discrete Mathematics', prof: 'Jiho Lee' },
  algo: { major: 'cse', num: 301, title: 'Algorithms', prof: 'Jiho Lee' },
  calc: { major: 'mat', num: 101, title: 'Calculus', prof: 'Sora Park' },
  linear: { major: 'mat', num: 102, title: 'Linear Algebra', prof: 'Sora Park' },
} as const;

const SECTIONS = {
  intro: {
    course: 'intro',
    number: 1,
    capacity: 40,
    enrolled: 0,
    meets: [
      [1, '09:00', '10:15'],
      [3, '09:00', '10:15'],
    ],
  },
  data: {
    course: 'data',
    number: 1,
    capacity: 40,
    enrolled: 3,
    meets: [
      [2, '10:30', '11:45'],
      [4, '10:30', '11:45'],
    ],
  },
  // Meets 09:30 on Monday and Wednesday: clashes with intro.
  discrete: {
    course: 'discrete',
    number: 1,
    capacity: 30,
    enrolled: 0,
    meets: [
      [1, '09:30', '10:45'],
      [3, '09:30', '10:45'],
    ],
  },
  algo: {
    course: 'algo',
    number: 1,
    capacity: 30,
    enrolled: 0,
    meets: [
      [2, '13:00', '14:15'],
      [4, '13:00', '14:15'],
    ],
  },
  calc: {
    course: 'calc',
    number: 1,
    capacity: 60,
    enrolled: 0,
    meets: [
      [1, '13:00', '14:15'],
      [3, '13:00', '14:15'],
    ],
  },
  linear1: { course: 'linear', number: 1, capacity: 30, enrolled: 0, meets: [[5, '09:00', '11:45']] },
  // Full.
  linear2: {
    course: 'linear',
    number: 2,
    capacity: 2,
    enrolled: 2,
    meets: [
      [2, '15:00', '16:15'],
      [4, '15:00', '16:15'],
    ],
  },
} as const satisfies Record<
  string,
  { course: keyof typeof COURSES; number: number; capacity: number; enrolled: number; meets: Meetings }
>;
type SectionKey = keyof typeof SECTIONS;

/** A term newer than any other in the run (so /catalog opens it), its catalogue, an open window and its room. */
async function createWorld(db: Knex): Promise<World> {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const [termId] = await db('terms').insert({
    code: `J-${tag}`,
    name: `Spring 2031 (${tag})`,
    starts_on: '2031-03-02',
    ends_on: '2031-06-20',
  });
  const [cse] = await db('majors').insert({ code: `CSE${tag}`, name: `Computer Science ${tag}` });
  const [mat] = await db('majors').insert({ code: `MAT${tag}`, name: `Mathematics ${tag}` });
  const majors = { cse: cse!, mat: mat! };
  const profIds = new Map<string, number>();
  for (const c of Object.values(COURSES)) {
    if (profIds.has(c.prof)) continue;
    const [id] = await db('professors').insert({ name: c.prof, major_id: majors[c.major] });
    profIds.set(c.prof, id!);
  }
  const courseIds = new Map<string, { id: number; code: string }>();
  for (const [key, c] of Object.entries(COURSES)) {
    const code = `${c.major.toUpperCase()}${tag}${c.num}`;
    const [id] = await db('courses').insert({
      code,
      title: c.title,
      credits: 3,
      major_id: majors[c.major],
      professor_id: profIds.get(c.prof),
    });
    courseIds.set(key, { id: id!, code });
  }
  const sections = {} as World['sections'];
  for (const [key, s] of Object.entries(SECTIONS) as [SectionKey, (typeof SECTIONS)[SectionKey]][]) {
    const course = courseIds.get(s.course)!;
    const [id] = await db('sections').insert({
      term_id: termId,
      course_id: course.id,
      section_number: s.number,
      capacity: s.capacity,
      enrolled: s.enrolled,
    });
    await db('section_meetings').insert(
      (s.meets as Meetings).map(([day, start, end]) => ({
        section_id: id,
        day_of_week: day,
        starts_at: start,
        ends_at: end,
        room: `ENG ${100 + day}`,
      })),
    );
    sections[key] = { id: id!, label: `${course.code}-0${s.number}` };
  }
  const now = Date.now();
  const [windowId] = await db('registration_windows').insert({
    term_id: termId,
    name: `Spring registration ${tag}`,
    grades: JSON.stringify([1, 2, 3, 4]),
    opens_at: new Date(now - 3_600_000),
    closes_at: new Date(now + 3 * 3_600_000),
  });
  // The pre-queue is open; the opening is set by the operator once the student is in (see below).
  const [roomId] = await db('waiting_rooms').insert({
    slug: `journey-${tag.toLowerCase()}`,
    name: `Spring registration ${tag}`,
    kind: 'registration',
    registration_window_id: windowId,
    admission_rate_per_min: 600,
    max_active: 1_000,
    token_ttl_s: 600,
    prequeue_opens_at: new Date(now - 60_000),
    opens_at: new Date(now + 30 * 60_000),
  });
  return { termId: termId!, roomId: roomId!, tag, majors, sections };
}

describe('the registration journey in a real browser (catalog → cart → waiting room → enroll → drop)', function () {
  this.timeout(240_000);
  const cfg = testConfig();
  let browser: Browser | undefined;
  let stack: WebStack | undefined;
  let db: Knex | undefined;
  let context: BrowserContext | undefined;
  let current: Page | undefined;
  const problems: string[] = [];

  before(async function () {
    this.timeout(120_000);
    browser = await launchBrowser();
    db = createDb(cfg);
    stack = await startWebStack();
  });

  afterEach(async function () {
    // A failure says what the page showed.
    if (this.currentTest?.state === 'failed' && current) {
      await current.screenshot({
        path: await screenshotPath('registration-journey-failure.png'),
        fullPage: true,
      });
      const shown = await current.evaluate(() => ({
        url: location.href,
        main: document.body.innerText.slice(0, 2_000),
      }));
      console.error('the page at the failure:', shown, 'problems in the page:', problems);
    }
    await context?.close();
    context = undefined;
    current = undefined;
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
    await db?.destroy();
  });

  const url = (path: string) => `${stack!.url}${path}`;

  async function openPage(): Promise<Page> {
    problems.length = 0;
    context = await browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await context.newPage();
    current = page;
    collectProblems(page, problems);
    return page;
  }

  async function expectAccessible(page: Page, where: string): Promise<void> {
    expect(await seriousViolations(page), `axe on ${where}`).to.deep.equal([]);
  }

  /** Both sizes: the phone the journey runs at, then a desktop, then back to the phone. */
  async function screenshots(page: Page, name: string): Promise<void> {
    // Phone first: nothing in the page's content is wider than the phone (the week grid scrolls in its own box).
    const overflowing = await page.evaluate(() => {
      const vw = document.documentElement.clientWidth;
      return Array.from(document.querySelectorAll('main *'))
        .filter((e) => !e.closest('.scroll') && e.getBoundingClientRect().right > vw + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    });
    expect(overflowing, `wider than the phone on ${name}`).to.deep.equal([]);
    await page.screenshot({ path: await screenshotPath(`${name}-phone.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await expectAccessible(page, `${name} at 1280×800`);
    await page.screenshot({ path: await screenshotPath(`${name}-desktop.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
  }

  /** Presses Tab until the focused element matches `selector` (keyboard only: no clicks, no focus()). */
  async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
    throw new Error(`${max} presses of Tab never reached ${selector}; focus is on ${at}`);
  }

  const card = (id: number) => `li[data-section-id="${id}"]`;
  const countText = (page: Page) => page.locator('[data-test=count]').innerText();

  /** Waits for the catalogue's result count to read `text`; on a timeout says what it read instead. */
  async function waitForCount(page: Page, text: string): Promise<void> {
    try {
      await page.waitForFunction(
        (want) => document.querySelector('[data-test=count]')?.textContent?.trim() === want,
        text,
        { timeout: 15_000 },
      );
    } catch (err) {
      const shown = await page.evaluate(() => ({
        url: location.href,
        count: document.querySelector('[data-test=count]')?.textContent,
        error: document.querySelector('.error')?.textContent,
      }));
      throw new Error(`the count never read "${text}": ${JSON.stringify(shown)}`, { cause: err });
    }
  }

  async function addByMouse(page: Page, w: World, key: SectionKey): Promise<void> {
    const button = page.locator(`${card(w.sections[key].id)} [data-test=cart-toggle]`);
    await button.click();
    await page.locator(`${card(w.sections[key].id)} .in-cart`).waitFor();
    expect((await button.innerText()).trim()).to.equal('Remove from cart');
  }

  async function searchFor(page: Page, words: string): Promise<void> {
    await page.fill('input[name=q]', words);
    await page.click('form[role=search] button[type=submit]');
  }

  it('takes a student from the catalogue to an enrolled, then dropped, timetable', async () => {
    const w = await createWorld(db!);
    const student: TestUser = await createTestUser(db!);
    const staff = await createTestUser(db!, 'staff');
    const page = await openPage();
    const { sections: s } = w;

    // ---- sign in through the app's page, landing on the newest term's catalogue
    await page.goto(url('/login?next=/catalog'));
    await page.fill('input[name=username]', student.username);
    await page.fill('input[name=password]', student.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`**/terms/${w.termId}/catalog`);
    await page.locator('[data-test=count]').waitFor();
    expect(await countText(page)).to.equal('7 sections found');
    await expectAccessible(page, 'the catalogue');

    // ---- search by words, then with filters
    await searchFor(page, 'data structures');
    await page.waitForURL(/q=data/);
    await waitForCount(page, '1 section found');
    expect(await page.locator('ul.cards > li').count()).to.equal(1);
    expect(await page.locator(card(s.data.id)).innerText()).to.match(/Data Structures/);
    expect(await page.locator(card(s.data.id)).innerText()).to.include('Tue 10:30–11:45');
    expect(await page.locator('[data-test=announcer]').innerText()).to.equal('1 section found');

    await searchFor(page, '');
    await page.click('details.filters summary');
    await page.selectOption('select[name=majorId]', String(w.majors.mat));
    await waitForCount(page, '3 sections found');
    await page.check('input[name=hasSeats]');
    await waitForCount(page, '2 sections found');
    expect(await page.locator(card(s.calc.id)).count()).to.equal(1);
    expect(await page.locator(card(s.linear1.id)).count()).to.equal(1);
    expect(await page.locator(card(s.linear2.id)).count(), 'the full section is filtered out').to.equal(0);
    await page.selectOption('select[name=majorId]', { label: 'All majors' });
    await page.uncheck('input[name=hasSeats]');
    await waitForCount(page, '7 sections found');

    // ---- fill the cart: four by mouse, one (the clashing one) by keyboard alone
    await addByMouse(page, w, 'intro');
    await addByMouse(page, w, 'data');
    await addByMouse(page, w, 'algo');
    await addByMouse(page, w, 'calc');

    await page.reload();
    await page.locator('[data-test=count]').waitFor();
    await tabTo(page, 'input[name=q]');
    await page.keyboard.type('discrete');
    await page.keyboard.press('Enter');
    await waitForCount(page, '1 section found');
    await tabTo(page, `${card(s.discrete.id)} [data-test=cart-toggle]`);
    await page.keyboard.press('Space');
    await page.locator(`${card(s.discrete.id)} [data-flag=TIME_CLASH]`).waitFor();
    expect(await page.locator(`${card(s.discrete.id)} [data-flag=TIME_CLASH]`).innerText()).to.include(
      `Time clash with ${s.intro.label}`,
    );
    expect(await page.locator('[data-test=cart-note]').innerText()).to.equal(
      `${s.discrete.label} added to your cart. Time clash with ${s.intro.label}.`,
    );
    expect(
      await page.evaluate(() => document.activeElement?.getAttribute('data-test')),
      'focus stays on the button',
    ).to.equal('cart-toggle');
    await expectAccessible(page, 'the catalogue with a flagged section');
    await searchFor(page, '');
    await waitForCount(page, '7 sections found');
    await screenshots(page, 'registration-catalog');

    // ---- the cart and its week, before the turn: how and when enrolling opens
    await page.click('nav a:text-is("Cart")');
    await page.waitForURL(`**/terms/${w.termId}/cart`);
    await page.locator('[data-test=cart-items]').waitFor();
    const items = page.locator('[data-test=cart-items] > li');
    expect(await items.count()).to.equal(5);
    const flagsOf = async (id: number) =>
      (await page
        .locator(`[data-test=cart-items] > li[data-section-id="${id}"]`)
        .getAttribute('data-flags')) ?? '';
    expect(await flagsOf(s.intro.id)).to.equal('TIME_CLASH');
    expect(await flagsOf(s.discrete.id)).to.equal('TIME_CLASH');
    expect(await flagsOf(s.data.id)).to.equal('');
    expect(await page.locator('[data-test=credits]').innerText()).to.include('15 of 18 credits');
    expect(await page.locator('.day-col .block').count()).to.equal(10);
    expect(await page.locator('.day-col .block.cart').count()).to.equal(10);
    expect(await page.locator('.day-col .block.clash').count()).to.equal(4);
    expect(await page.locator('[data-test=week-list]').innerText()).to.match(
      new RegExp(
        `Monday:\\s+09:00–10:15, ${s.intro.label} Introduction to Programming, room ENG 101 \\(In cart, Time clash\\)`,
      ),
    );
    expect(await page.locator('#enroll-heading').innerText()).to.equal(
      'Enrolling opens when your turn comes',
    );
    expect(await page.locator('[data-test=enroll]').count()).to.equal(0);
    const roomLink = page.locator('a:text-is("Enter the waiting room")');
    expect(await roomLink.getAttribute('href')).to.equal(`/rooms/${w.roomId}/`);
    await expectAccessible(page, 'the cart');
    await screenshots(page, 'registration-cart');

    // ---- the waiting room (its own page, same origin and tab: the sign-in carries over)
    await roomLink.click();
    await page.waitForURL(`**/rooms/${w.roomId}/`);
    await page.waitForSelector('main#room[data-state="prequeue"]', { state: 'attached', timeout: 15_000 });
    await expectAccessible(page, 'the waiting room');
    // The operator opens the room a few seconds from now; the admission controller opens it then.
    const opensAt = new Date(Date.now() + 3_000);
    const patch = await fetch(url(`/operator/rooms/${w.roomId}`), {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokenFor(cfg, staff.id, 'staff')}`,
      },
      body: JSON.stringify({ opensAt: opensAt.toISOString() }),
    });
    expect(patch.status).to.equal(200);
    await page.waitForSelector('main#room[data-state="admitted"]', { state: 'attached', timeout: 60_000 });
    await expectAccessible(page, 'the waiting room, admitted');

    // Continue hands the admission to the app (/admitted/<roomId>), which opens this term's cart.
    expect(await page.getAttribute('#continue', 'href')).to.equal(`/admitted/${w.roomId}`);
    await page.click('#continue');
    await page.waitForURL(new RegExp(`/terms/${w.termId}/cart\\?room=${w.roomId}$`));

    // ---- enroll the cart as one request, by keyboard; the first answer is lost on the way back
    const enroll = page.locator('[data-test=enroll]');
    await enroll.waitFor();
    expect((await enroll.innerText()).trim()).to.equal('Enroll all (5 sections)');
    expect(await page.locator('[data-test=admission-left]').innerText()).to.match(/valid for \d+:\d\d more/);
    await expectAccessible(page, 'the cart, admitted');

    let posts = 0;
    const keys: string[] = [];
    await page.route('**/api/enrollments', async (route) => {
      posts++;
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (posts === 1) {
        // The server records the request; the browser never hears back (a dropped connection).
        await route.fetch();
        await route.abort('connectionreset');
      } else {
        await route.continue();
      }
    });
    await tabTo(page, '[data-test=enroll]');
    await page.keyboard.press('Enter');
    await page.locator('[data-test=enroll-error]').waitFor();
    expect(await page.locator('[data-test=enroll-error]').innerText()).to.equal(
      'Could not reach the server. Check your connection and try again.',
    );
    const stored = await page.evaluate(
      (termId) => sessionStorage.getItem(`rushline.enrollment.${termId}`),
      w.termId,
    );
    expect(JSON.parse(stored ?? '{}')).to.include({ key: keys[0], requestId: null });

    expect(
      await page.evaluate(() => document.activeElement?.getAttribute('data-test')),
      'focus is back on the button',
    ).to.equal('enroll');
    await page.keyboard.press('Space');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-test=outcomes] > li').length === 5,
      undefined,
      {
        timeout: 30_000,
      },
    );
    await page.waitForFunction(
      () =>
        document.querySelector('[data-test=enroll-status]')?.textContent?.trim() === 'Enrolled in 4 of 5.',
    );
    expect(posts).to.equal(2);
    expect(keys[1], 'the retry resends the same Idempotency-Key').to.equal(keys[0]);
    const requests = await db!('requests')
      .where({ user_id: student.id })
      .select('id', 'status', 'outcome_code');
    expect(requests, 'one request, never two').to.have.length(1);

    const outcomes = await page.$$eval('[data-test=outcomes] > li', (lis) =>
      lis.map((li) => ({
        id: Number(li.getAttribute('data-section-id')),
        status: li.getAttribute('data-status'),
        code: li.getAttribute('data-code'),
      })),
    );
    expect(outcomes).to.deep.equal([
      { id: s.intro.id, status: 'committed', code: 'ENROLLED' },
      { id: s.data.id, status: 'committed', code: 'ENROLLED' },
      { id: s.algo.id, status: 'committed', code: 'ENROLLED' },
      { id: s.calc.id, status: 'committed', code: 'ENROLLED' },
      { id: s.discrete.id, status: 'rejected', code: 'TIMETABLE_CLASH' },
    ]);
    expect(
      await page.locator(`[data-test=outcomes] > li[data-section-id="${s.discrete.id}"]`).innerText(),
    ).to.match(
      new RegExp(`${s.discrete.label}:\\s+Not enrolled\\s+Time clash with a section you already take`),
    );
    expect(
      await page.evaluate((termId) => sessionStorage.getItem(`rushline.enrollment.${termId}`), w.termId),
      'the pending key is forgotten once the outcome is known',
    ).to.equal(null);

    // The week follows: four sections enrolled, the clashing one still in the cart.
    await page.waitForFunction(() => document.querySelectorAll('.day-col .block.enrolled').length === 8);
    expect(await page.locator('.day-col .block.cart').count()).to.equal(2);
    expect(await page.locator(`.day-col .block.cart[data-section-id="${s.discrete.id}"]`).count()).to.equal(
      2,
    );
    expect(await flagsOf(s.intro.id)).to.equal('ALREADY_ENROLLED TIME_CLASH');
    expect((await enroll.innerText()).trim()).to.equal('Enroll all (1 section)');
    const enrolled = await db!('enrollments')
      .where({ user_id: student.id })
      .orderBy('section_id')
      .pluck('section_id');
    expect(enrolled).to.deep.equal([s.intro.id, s.data.id, s.algo.id, s.calc.id].sort((a, b) => a - b));
    await page.unroute('**/api/enrollments');
    await expectAccessible(page, 'the cart with outcomes');
    await screenshots(page, 'registration-outcomes');

    // ---- the timetable: drop one, see it gone
    await page.click('nav a:text-is("Timetable")');
    await page.waitForURL(`**/terms/${w.termId}/timetable`);
    await page.locator('[data-test=enrolled]').waitFor();
    expect(await page.locator('[data-test=enrolled] > li').count()).to.equal(4);
    expect(await page.locator('.day-col .block.enrolled').count()).to.equal(8);
    expect(await page.locator('.day-col .block.cart').count()).to.equal(0);
    expect(await page.locator('[data-test=credits]').innerText()).to.equal('12 credits enrolled (limit 18)');
    await expectAccessible(page, 'the timetable');

    const algoItem = page.locator(`[data-test=enrolled] > li[data-section-id="${s.algo.id}"]`);
    await algoItem.locator('[data-test=drop]').click();
    expect(await algoItem.innerText()).to.include(`Drop ${s.algo.label}? Your seat is given up at once.`);
    await expectAccessible(page, 'the timetable, confirming a drop');
    await algoItem.locator('[data-test=drop-yes]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-test=enrolled] > li').length === 3);
    expect(await page.locator(`[data-test=enrolled] > li[data-section-id="${s.algo.id}"]`).count()).to.equal(
      0,
    );
    expect(await page.locator('.day-col .block.enrolled').count()).to.equal(6);
    expect(await page.locator(`.day-col .block[data-section-id="${s.algo.id}"]`).count()).to.equal(0);
    expect(await page.locator('[data-test=note]').innerText()).to.equal(`${s.algo.label} dropped.`);
    expect(await page.locator('[data-test=credits]').innerText()).to.equal('9 credits enrolled (limit 18)');
    expect(
      await db!('enrollments').where({ user_id: student.id, section_id: s.algo.id }).count({ n: '*' }),
    ).to.deep.equal([{ n: 0 }]);
    expect(await db!('sections').where({ id: s.algo.id }).first('enrolled')).to.deep.equal({ enrolled: 0 });
    await expectAccessible(page, 'the timetable after a drop');
    await screenshots(page, 'registration-timetable');

    // ---- and in Korean
    await page.selectOption('header select', 'ko');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent?.trim() === '시간표');
    expect(await page.locator('[data-test=credits]').innerText()).to.equal('신청 학점 9학점 (최대 18학점)');
    expect(await page.title()).to.equal('시간표 · Rushline');
    await expectAccessible(page, 'the timetable in Korean');

    expect(problems).to.deep.equal([]);
  });

  it('pages through a long catalogue with "Load more", announcing the count and keeping the place', async () => {
    const { termId, sectionIds } = await createBulkTerm(db!, 45);
    const page = await openPage();
    await page.goto(url(`/terms/${termId}/catalog`));
    await waitForCount(page, 'Showing 20 sections, more below');
    expect(await page.locator('ul.cards > li').count()).to.equal(20);
    expect(await page.locator('[data-test=announcer]').innerText()).to.equal(
      'Showing 20 sections, more below',
    );
    expect(await page.locator('[data-test=cart-toggle]').count(), 'signed out: no cart buttons').to.equal(0);
    expect(await page.locator('a:text-is("Sign in to add courses to your cart")').count()).to.equal(20);

    await tabTo(page, '[data-test=load-more]');
    await page.keyboard.press('Enter');
    await waitForCount(page, 'Showing 40 sections, more below');
    expect(
      await page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-section-id')),
      'focus moves to the first new result',
    ).to.equal(String(sectionIds[20]));
    await page.click('button:text-is("Load more")');
    await waitForCount(page, '45 sections found');
    expect(await page.locator('[data-test=announcer]').innerText()).to.equal('45 sections found');
    expect(await page.locator('button:text-is("Load more")').count()).to.equal(0);
    const shown = await page.$$eval('ul.cards > li', (lis) =>
      lis.map((li) => Number(li.getAttribute('data-section-id'))),
    );
    expect(shown, "every section once, in the catalogue's order").to.deep.equal(sectionIds);
    await expectAccessible(page, 'a long catalogue, signed out');
    expect(problems).to.deep.equal([]);
  });
});
