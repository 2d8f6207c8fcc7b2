import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Browser, Page } from 'playwright-core';
import { createDb } from '../../core/db.js';
import { seriousViolations } from '../support/axe.js';
import { collectProblems, launchBrowser, screenshotPath } from '../support/browser.js';
import { createCatalogWorld } from '../support/catalog-world.js';
import { createSale } from '../support/event-fixture.js';
import { testConfig } from '../support/test-config.js';
import { createTestUser } from '../support/users.js';
import { startWebStack, type WebStack } from '../support/web-stack.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** The first page a newcomer sees: what is open or coming, one link away, and signing in. */
describe('the landing page and sign-in in a real browser', function () {
  this.timeout(120_000);
  let stack: WebStack;
  let browser: Browser;
  let db: Knex;
  let windowName: string;
  let eventTitle: string;
  let termId: number;

  before(async () => {
    db = createDb(testConfig());
    const world = await createCatalogWorld(db);
    termId = world.termId;
    windowName = `Open registration ${world.tag}`;
    const opensAt = new Date(Date.now() + 10 * 60_000);
    const [windowId] = await db('registration_windows').insert({
      term_id: termId,
      name: windowName,
      grades: JSON.stringify([1, 2, 3, 4]),
      opens_at: opensAt,
      closes_at: new Date(Date.now() + 7 * 86_400_000),
    });
    const [roomId] = await db('waiting_rooms').insert({
      slug: `landing-${world.tag.toLowerCase()}`,
      name: `${windowName} room`,
      kind: 'registration',
      registration_window_id: windowId,
      admission_rate_per_min: 600,
      max_active: 100,
      prequeue_opens_at: new Date(Date.now() - 60_000),
      opens_at: opensAt,
    });
    const sale = await createSale(db, { rows: 2, seatsPerRow: 4 });
    eventTitle = `Test concert ${sale.tag}`;
    stack = await startWebStack();
    browser = await launchBrowser();
    // The pre-queue opened a minute ago; the room shows it once the admission leader has moved it there
    // (its first tick after the stack starts), which the page then reads.
    for (let i = 0; i < 300; i++) {
      const room = await db('waiting_rooms').where({ id: roomId }).first('state');
      if (room?.state === 'prequeue') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
    await db?.destroy();
  });

  async function open(viewport: typeof PHONE, locale = 'en-GB'): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport, locale });
    const page = await context.newPage();
    const problems: string[] = [];
    collectProblems(page, problems);
    return { page, problems };
  }

  it('lists the windows and sales with their times and links, at phone and desktop sizes', async () => {
    for (const [size, viewport] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      const { page, problems } = await open(viewport);
      await page.goto(`${stack.url}/`);
      const windowCard = page.locator('li.card', { hasText: windowName });
      await windowCard.waitFor();
      expect(await windowCard.locator('.badge').innerText()).to.equal('Waiting room open');
      expect(await windowCard.locator('time').count()).to.equal(2);
      expect(await windowCard.locator('a', { hasText: 'Browse courses' }).getAttribute('href')).to.equal(
        `/terms/${termId}/catalog`,
      );
      expect(
        await windowCard.locator('a', { hasText: 'Enter the waiting room' }).getAttribute('href'),
      ).to.match(/^\/rooms\/\d+\/$/);
      const eventCard = page.locator('li.card', { hasText: eventTitle });
      expect(await eventCard.locator('a', { hasText: 'Seat map' }).count()).to.equal(1);
      expect(await seriousViolations(page), `axe on the landing page (${size})`).to.deep.equal([]);
      await page.screenshot({ path: await screenshotPath(`landing-${size}.png`), fullPage: true });
      expect(problems).to.deep.equal([]);
      await page.context().close();
    }
  });

  it('takes a keyboard user from the landing page to the catalog, and signs in with a clear error first', async () => {
    const { page, problems } = await open(PHONE, 'ko-KR');
    await page.goto(`${stack.url}/`);
    await page.locator('li.card', { hasText: windowName }).waitFor();
    // Tab until the window's catalog link has focus, then follow it with Enter.
    const target = `/terms/${termId}/catalog`;
    // Other tests of the run add windows and sales of their own: the page may hold many links before ours.
    for (let i = 0; i < 500; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.getAttribute('href'))) === target) break;
    }
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).to.equal(target);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**${target}`);

    const student = await createTestUser(db);
    await page.goto(`${stack.url}/login?next=${encodeURIComponent(target)}`);
    await page.locator('input[name=username]').waitFor();
    expect(await page.locator('h1').innerText()).to.equal('로그인');
    await page.locator('input[name=username]').focus();
    await page.keyboard.type(student.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');
    expect(await page.locator('[role=alert]').innerText()).to.equal('아이디 또는 비밀번호가 맞지 않습니다.');
    expect(await seriousViolations(page), 'axe on sign-in with an error').to.deep.equal([]);
    await page.screenshot({ path: await screenshotPath('sign-in-error-ko-phone.png'), fullPage: true });

    await page.locator('input[name=password]').fill(student.password);
    await page.locator('input[name=password]').press('Enter');
    await page.waitForURL(`**${target}`);
    expect(await page.locator('header').innerText()).to.include('로그아웃');

    // The pages off the main path: an unknown address, and the hand-over without an admission in this tab.
    await page.goto(`${stack.url}/no/such/page`);
    expect(await page.locator('h1').innerText()).to.equal('없는 페이지입니다.');
    expect(await seriousViolations(page), 'axe on the not-found page').to.deep.equal([]);
    await page.goto(`${stack.url}/admitted/987654`);
    await page.locator('[role=alert]').waitFor();
    expect(await page.locator('[role=alert]').innerText()).to.include('입장권이 없습니다');
    expect(await seriousViolations(page), 'axe on the hand-over without an admission').to.deep.equal([]);
    expect(problems).to.deep.equal([]);
  });
});
