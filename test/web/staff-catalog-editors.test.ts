import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Browser, Page } from 'playwright-core';
import { seriousViolations } from '../support/axe.js';
import { openWatchedPage, screenshotPath, signInThroughPage, useBrowserWorld } from '../support/browser.js';
import { createTestUser, type TestUser } from '../support/users.js';
import { fillStaffListsPastOnePage } from '../support/long-lists.js';
import type { WebStack } from '../support/web-stack.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/**
 * The catalog editors (majors, professors, courses) in Chromium against the real processes: a staff member
 * creates one of each, is refused a duplicate code and a delete of a major still in use (each as a sentence),
 * deletes an unused one, edits a course that a second tab changed first (VERSION_CONFLICT: a sentence, the
 * row as it is now, a reload, then the save goes through), and a student gets the staff-only page. Every
 * page passes axe at phone and desktop width, and no staff table scrolls sideways on the phone.
 */
describe('the staff catalog editors in a real browser', function () {
  this.timeout(240_000);
  const running = useBrowserWorld();
  let stack: WebStack;
  let browser: Browser;
  let db: Knex;
  let staff: TestUser;
  let student: TestUser;
  const tag = randomBytes(3).toString('hex').toUpperCase();
  let problems: string[] = [];

  before(async () => {
    ({ stack, browser, db } = running());
    await fillStaffListsPastOnePage(db);
    staff = await createTestUser(db, 'staff');
    student = await createTestUser(db, 'student');
  });

  const open = () => openWatchedPage(browser, problems, { viewport: PHONE, locale: 'en-GB' });

  const signIn = (page: Page, user: TestUser, next: string) => signInThroughPage(page, stack.url, user, next);

  /** axe and both screenshots of the page as it is now; on the phone, nothing wider than the screen. */
  async function check(page: Page, name: string): Promise<void> {
    expect(await seriousViolations(page), `axe on ${name}`).to.deep.equal([]);
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      tables: Array.from(document.querySelectorAll('.staff-table'), (t) => t.scrollWidth - t.clientWidth),
    }));
    expect(overflow.page, `page width on ${name}`).to.be.at.most(PHONE.width);
    for (const extra of overflow.tables) expect(extra, `table overflow on ${name}`).to.be.at.most(0);
    await page.screenshot({ path: await screenshotPath(`staff-catalog-${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    expect(await seriousViolations(page), `axe on ${name} (desktop)`).to.deep.equal([]);
    await page.screenshot({
      path: await screenshotPath(`staff-catalog-${name}-desktop.png`),
      fullPage: true,
    });
    await page.setViewportSize(PHONE);
  }

  const create = (page: Page) => page.locator('form.staff-editor button[type=submit]').click();

  it('creates, refuses, deletes and edits majors, professors and courses', async () => {
    problems = [];
    const page = await open();
    await signIn(page, staff, '/staff');
    await page.locator('a', { hasText: 'Majors' }).click();
    await page.waitForURL('**/staff/majors');
    expect(await page.locator('h1').innerText()).to.equal('Majors');

    // Majors: two created (one to delete later); the same code again is refused as a sentence.
    for (const [code, name] of [
      [`M${tag}`, `Mathematics ${tag}`],
      [`X${tag}`, `Spare ${tag}`],
    ] as const) {
      await page.locator('input[name=code]').fill(code);
      await page.locator('input[name=name]').fill(name);
      await create(page);
      await page.locator('[role=status]', { hasText: 'Created.' }).waitFor();
      await page.locator('tr', { hasText: code }).waitFor();
    }
    await page.locator('input[name=code]').fill(`M${tag}`);
    await page.locator('input[name=name]').fill('Again');
    await create(page);
    await page
      .locator('.staff-conflict', { hasText: 'Another entry already has this code or number.' })
      .waitFor();
    // On the phone a row is a card whose cells carry their column's name.
    const label = await page
      .locator('tr', { hasText: `M${tag}` })
      .locator('td')
      .first()
      .evaluate((td) => getComputedStyle(td, '::before').content);
    expect(label).to.equal('"Name"');
    await check(page, 'majors');
    const majorId = (
      await db('majors')
        .where({ code: `M${tag}` })
        .first('id')
    ).id as number;

    // Professors: one in the new major.
    await page.goto(`${stack.url}/staff/professors`);
    await page.locator('select[name=majorId] option', { hasText: `M${tag}` }).waitFor({ state: 'attached' });
    await page.locator('input[name=name]').fill(`Prof ${tag}`);
    await page.locator('input[name=email]').fill(`prof.${tag.toLowerCase()}@example.edu`);
    await page.locator('select[name=majorId]').selectOption(String(majorId));
    await create(page);
    const profRow = page.locator('tr', { hasText: `Prof ${tag}` });
    await profRow.waitFor();
    expect(await profRow.innerText()).to.include(`M${tag} Mathematics ${tag}`);
    await check(page, 'professors');
    const professorId = (
      await db('professors')
        .where({ name: `Prof ${tag}` })
        .first('id')
    ).id as number;

    // Courses: one taught by that professor, found again with the search filter.
    await page.goto(`${stack.url}/staff/courses`);
    await page
      .locator('select[name=professorId] option', { hasText: `Prof ${tag}` })
      .waitFor({ state: 'attached' });
    await page.locator('input[name=code]').fill(`C${tag}`);
    await page.locator('input[name=title]').fill(`Topology ${tag}`);
    await page.locator('input[name=credits]').fill('3');
    await page.locator('select[name=majorId]').selectOption(String(majorId));
    await page.locator('select[name=professorId]').selectOption(String(professorId));
    await create(page);
    await page.locator('tr', { hasText: `C${tag}` }).waitFor();
    await page.locator('input[name=q]').fill(`C${tag}`);
    await page.locator('button', { hasText: 'Filter' }).click();
    await page.locator('[aria-live=polite]', { hasText: /\b1 shown/ }).waitFor();
    const courseRows = await page.locator('.staff-table tbody tr').allInnerTexts();
    expect(courseRows).to.have.length(1);
    expect(courseRows[0]).to.include(`Topology ${tag}`);
    expect(courseRows[0]).to.include(`Prof ${tag}`);
    await check(page, 'courses');
    const course = await db('courses')
      .where({ code: `C${tag}` })
      .first('id', 'version');

    // A second tab edits the course first (credits 4); this tab's edit, from the older version, is refused.
    const courseRow = page.locator(`tr[data-course="${course.id}"]`);
    await courseRow.locator('button', { hasText: 'Edit' }).click();
    expect(await page.locator('form.staff-editor h2').evaluate((h) => h === document.activeElement)).to.equal(
      true,
    );
    await page.locator('input[name=title]').fill(`Topology I ${tag}`);
    const other = await open();
    await signIn(other, staff, '/staff/courses');
    await other.locator(`tr[data-course="${course.id}"]`).locator('button', { hasText: 'Edit' }).click();
    await other.locator('input[name=credits]').fill('4');
    await create(other);
    await other.locator('[role=status]', { hasText: 'Saved.' }).waitFor();
    await other.context().close();

    await create(page);
    const conflict = page.locator('.staff-conflict');
    await conflict.locator('.current-values').waitFor();
    expect(await conflict.innerText()).to.include('Someone changed this while you were editing');
    expect(await conflict.locator('.current-values').innerText()).to.equal(
      `Now: C${tag} · Topology ${tag} · 4 credits · M${tag} Mathematics ${tag} · Prof ${tag}`,
    );
    // The list shows the row as it is now, too.
    expect(await courseRow.locator('td').nth(1).innerText()).to.equal('4');
    await check(page, 'courses-conflict');
    await page.locator('button', { hasText: 'Reload the current values' }).click();
    expect(await page.locator('input[name=credits]').inputValue()).to.equal('4');
    expect(await page.locator('input[name=title]').inputValue()).to.equal(`Topology ${tag}`);
    await page.locator('input[name=title]').fill(`Topology I ${tag}`);
    await create(page);
    await page.locator('[role=status]', { hasText: 'Saved.' }).waitFor();
    expect(await courseRow.innerText()).to.include(`Topology I ${tag}`);
    const saved = await db('courses').where({ id: course.id }).first('title', 'credits', 'version');
    expect(saved).to.deep.equal({ title: `Topology I ${tag}`, credits: 4, version: course.version + 2 });
    const updates = await db('audit_log')
      .where({ entity: 'course', entity_id: String(course.id), action: 'update' })
      .count<{ n: number }[]>({ n: '*' });
    expect(Number(updates[0]?.n)).to.equal(2);

    // Majors again: the one in use is refused with what still uses it; the spare one goes.
    await page.goto(`${stack.url}/staff/majors`);
    page.on('dialog', (d) => void d.accept());
    await page
      .locator('tr', { hasText: `M${tag}` })
      .locator('button', { hasText: 'Delete' })
      .click();
    await page
      .locator('[role=alert]', {
        hasText: 'This cannot be deleted while professors still refer to it. Change or remove those first.',
      })
      .waitFor();
    // The spare one was renamed elsewhere after the list loaded: the delete is refused and the row refreshed.
    await db('majors')
      .where({ code: `X${tag}` })
      .update({ name: `Renamed ${tag}`, version: db.raw('version + 1') });
    const spare = page.locator('tr', { hasText: `X${tag}` });
    await spare.locator('button', { hasText: 'Delete' }).click();
    await page
      .locator('[role=alert]', { hasText: 'Someone changed this since the list was loaded' })
      .waitFor();
    await page.locator('tr', { hasText: `Renamed ${tag}` }).waitFor();
    await spare.locator('button', { hasText: 'Delete' }).click();
    await page.locator('[role=status]', { hasText: 'Deleted.' }).waitFor();
    // The focused button went with its row; keyboard focus lands on the table, not the top of the page.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).to.equal('Majors');
    expect(await page.locator('tr', { hasText: `X${tag}` }).count()).to.equal(0);
    expect(
      await db('majors')
        .whereIn('code', [`M${tag}`, `X${tag}`])
        .pluck('code'),
    ).to.deep.equal([`M${tag}`]);
    await check(page, 'majors-refused');

    // The courses page in Korean.
    await page.goto(`${stack.url}/staff/courses`);
    await page.locator(`tr[data-course="${course.id}"]`).waitFor();
    await page.locator('header select').selectOption('ko');
    expect(await page.locator('h1').innerText()).to.equal('교과목');
    expect(await page.locator('form.staff-editor h2').innerText()).to.equal('새 교과목');
    await check(page, 'courses-ko');
    await page.locator('header select').selectOption('en');
    expect(problems).to.deep.equal([]);
    await page.context().close();
  });

  it('shows a student the staff-only page instead of an editor', async () => {
    problems = [];
    const page = await open();
    await signIn(page, student, '/');
    await page.goto(`${stack.url}/staff/courses`);
    await page.waitForURL('**/staff-only');
    expect(await page.locator('h1').innerText()).to.equal('Staff only');
    expect(await page.locator('form.staff-editor').count()).to.equal(0);
    await check(page, 'only');
    expect(problems).to.deep.equal([]);
    await page.context().close();
  });
});
