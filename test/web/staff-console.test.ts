import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Browser, Page } from 'playwright-core';
import { seriousViolations } from '../support/axe.js';
import { openWatchedPage, screenshotPath, signInThroughPage, useBrowserWorld } from '../support/browser.js';
import { testConfig } from '../support/test-config.js';
import { tokenFor } from '../support/tokens.js';
import { createTestUser, type TestUser } from '../support/users.js';
import { fillStaffListsPastOnePage } from '../support/long-lists.js';
import type { WebStack } from '../support/web-stack.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const HEADER =
  'major_code,major_name,professor_name,professor_email,course_code,course_title,credits,section_number,capacity,day,starts_at,ends_at,room';

/**
 * The staff console in Chromium against the real processes: a staff member imports a term's catalog (a
 * bad file first, reported line by line, then a good one), edits a section's capacity and meets a
 * VERSION_CONFLICT when someone else changed it, creates a registration window, finds a student's request
 * outcome in the support lookup and reads the audit log of all that; a student gets the staff-only page.
 */
describe('the staff console in a real browser', function () {
  this.timeout(240_000);
  const cfg = testConfig();
  const running = useBrowserWorld();
  let stack: WebStack;
  let browser: Browser;
  let db: Knex;
  let staff: TestUser;
  let student: TestUser;
  let termId: number;
  let studentNumber: string;
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const course = `Q${tag}1`;
  let problems: string[] = [];

  before(async () => {
    ({ stack, browser, db } = running());
    await fillStaffListsPastOnePage(db);
    staff = await createTestUser(db, 'staff');
    student = await createTestUser(db, 'student');
    studentNumber = `S${tag}${Math.floor(Math.random() * 1000)}`;
    await db('users')
      .where({ id: student.id })
      .update({ student_number: studentNumber, display_name: `Kim ${tag}` });
    // A far-future term, so it sorts first in every term picker whatever other tests created.
    const year = 2900 + Math.floor(Math.random() * 90);
    [termId] = (await db('terms').insert({
      code: `T${tag}`,
      name: `Term ${tag}`,
      starts_on: `${year}-03-01`,
      ends_on: `${year}-06-30`,
    })) as [number];
    // The student's refused request, for the support lookup to find.
    await db('requests').insert({
      user_id: student.id,
      idempotency_key: `staff-console-${tag}`,
      commit_job_id: `staff-console-${tag}`,
      kind: 'enrollment',
      payload: JSON.stringify({ termId, sectionIds: [1] }),
      status: 'rejected',
      outcome_code: 'SECTION_FULL',
      outcome_message: `Section ${course}-1 is full`,
      completed_at: new Date(),
    });
  });

  const open = (viewport: typeof PHONE) =>
    openWatchedPage(browser, problems, { viewport, locale: 'en-GB', acceptDownloads: true });

  const signIn = (page: Page, user: TestUser, next: string) => signInThroughPage(page, stack.url, user, next);

  /** axe and both screenshots of the page as it is now. */
  async function check(page: Page, name: string): Promise<void> {
    expect(await seriousViolations(page), `axe on ${name}`).to.deep.equal([]);
    await page.screenshot({ path: await screenshotPath(`staff-${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    expect(await seriousViolations(page), `axe on ${name} (desktop)`).to.deep.equal([]);
    await page.screenshot({ path: await screenshotPath(`staff-${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
  }

  const line = (section: number, capacity: number, day: number, credits = '3') =>
    `MA${tag},Mathematics ${tag},Prof ${tag},prof.${tag.toLowerCase()}@example.edu,${course},Topology ${tag},${credits},${section},${capacity},${day},09:00,10:15,R ${tag}`;

  it('runs a term from import to audit, and keeps students out', async () => {
    problems = [];
    const page = await open(PHONE);
    await signIn(page, staff, '/staff');
    expect(await page.locator('h1').innerText()).to.equal('Staff console');
    expect(await page.locator('header nav a', { hasText: 'Staff' }).count()).to.equal(1);
    await check(page, 'home');

    // Import: a file with one bad line (credits "x" on line 3) is checked and refused line by line.
    await page.locator('a', { hasText: 'Catalog import' }).click();
    await page.waitForURL('**/staff/import');
    await page.locator('select[name=termId]').selectOption(String(termId));
    const bad = [HEADER, line(1, 30, 1), line(2, 30, 2, 'x')].join('\n');
    await page.locator('input[type=file]').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(bad),
    });
    await page.locator('button', { hasText: 'Check' }).click();
    await page.locator('.import-problems tbody tr').first().waitFor();
    const rows = await page.locator('.import-problems tbody tr').allInnerTexts();
    expect(rows).to.have.length(1);
    expect(rows[0]).to.match(/^3\s+credits\s+must be a whole number/);
    expect(await page.locator('.import-summary').innerText()).to.equal(
      '1 problem found; nothing will be imported until it is fixed.',
    );
    expect(await page.locator('button', { hasText: 'Import' }).isDisabled()).to.equal(true);
    await check(page, 'import-problems');

    // The good file: checked clean, then imported with its counts.
    const good = [HEADER, line(1, 30, 1), line(1, 30, 3), line(2, 40, 2)].join('\n');
    await page.locator('input[type=file]').setInputFiles({
      name: 'good.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(good),
    });
    await page.locator('button', { hasText: 'Check' }).click();
    await page.locator('.import-summary', { hasText: 'No problems found' }).waitFor();
    await page.locator('button', { hasText: 'Import' }).click();
    await page.locator('.import-summary', { hasText: 'Imported' }).waitFor();
    expect(await page.locator('.import-summary').innerText()).to.include('sections 2');
    expect(await page.locator('.import-problems').count()).to.equal(0);
    const imported = await db('sections as s')
      .join('courses as c', 'c.id', 's.course_id')
      .where({ 's.term_id': termId, 'c.code': course })
      .orderBy('s.section_number')
      .select('s.id', 's.capacity');
    expect(imported.map((s: { capacity: number }) => s.capacity)).to.deep.equal([30, 40]);
    const sectionId = (imported[0] as { id: number }).id;
    await check(page, 'import-done');

    // Sections: edit capacity; someone changes the row underneath → VERSION_CONFLICT with the current values.
    await page.goto(`${stack.url}/staff/terms`);
    await page.locator('tr', { hasText: `T${tag}` }).waitFor();
    await check(page, 'terms');
    await page
      .locator('tr', { hasText: `T${tag}` })
      .locator('a', { hasText: 'Sections' })
      .click();
    await page.waitForURL(`**/staff/terms/${termId}/sections`);
    const row = page.locator(`tr[data-section="${sectionId}"]`);
    await row.waitFor();
    await check(page, 'sections');
    await row.locator('button', { hasText: 'Edit' }).click();
    await page.locator('input[name=capacity]').fill('45');
    const token = tokenFor(cfg, staff.id, 'staff');
    const auth = { authorization: `Bearer ${token}` };
    const current = (await (
      await fetch(`${stack.url}/api/staff/sections/${sectionId}`, { headers: auth })
    ).json()) as {
      version: number;
    };
    const changed = await fetch(`${stack.url}/api/staff/sections/${sectionId}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json', 'if-match': `"v${current.version}"` },
      body: JSON.stringify({ capacity: 55 }),
    });
    expect(changed.status).to.equal(200);
    await page.locator('button', { hasText: 'Save' }).click();
    const conflict = page.locator('.staff-conflict');
    await conflict.locator('.current-values').waitFor();
    expect(await conflict.innerText()).to.include('Someone changed this while you were editing');
    expect(await conflict.innerText()).to.include('Capacity 55');
    await check(page, 'sections-conflict');
    await page.locator('button', { hasText: 'Reload the current values' }).click();
    expect(await page.locator('input[name=capacity]').inputValue()).to.equal('55');
    await page.locator('input[name=capacity]').fill('60');
    await page.locator('button', { hasText: 'Save' }).click();
    await page.locator('[role=status]', { hasText: 'Saved.' }).waitFor();
    expect(await row.locator('.capacity').innerText()).to.equal('60');
    expect((await db('sections').where({ id: sectionId }).first('capacity')).capacity).to.equal(60);

    // Windows: create one for the term.
    await page.goto(`${stack.url}/staff/windows`);
    await page.locator('select[name=termId]').selectOption(String(termId));
    await page.locator('input[name=name]').fill(`Window ${tag}`);
    await page.locator('input[name=grades][value="4"]').uncheck();
    await page.locator('input[name=opensAt]').fill(`2999-02-01T09:00`);
    await page.locator('input[name=closesAt]').fill(`2999-02-03T18:00`);
    await page.locator('button', { hasText: 'Create' }).click();
    await page.locator('tr', { hasText: `Window ${tag}` }).waitFor();
    const win = await db('registration_windows').where({ term_id: termId }).first('name', 'grades');
    expect(win.name).to.equal(`Window ${tag}`);
    expect(typeof win.grades === 'string' ? JSON.parse(win.grades) : win.grades).to.deep.equal([1, 2, 3]);
    await check(page, 'windows');

    // Exports: the term's enrollments come down as a CSV file through the token-carrying fetch.
    await page.goto(`${stack.url}/staff/exports`);
    await page.locator('select[name=termId]').first().selectOption(String(termId));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('form', { hasText: 'Enrollments of a term' }).locator('button').click(),
    ]);
    expect(download.suggestedFilename()).to.equal(`term-${termId}-enrollments.csv`);
    await page.locator('[role=status]', { hasText: 'downloaded' }).waitFor();
    await check(page, 'exports');

    // Accounts: the student is found by number; the list and the new-account form pass axe.
    await page.goto(`${stack.url}/staff/users`);
    await page.locator('input[name=q]').fill(studentNumber);
    await page.locator('button', { hasText: 'Search' }).click();
    await page.locator('tr', { hasText: student.username }).waitFor();
    // The first listing (everyone) may have drawn first; the search's answer leaves one row.
    await page.locator('.staff-table tbody tr').nth(1).waitFor({ state: 'detached' });
    expect(await page.locator('.staff-table tbody tr').count()).to.equal(1);
    await check(page, 'users');

    // Support lookup: the student by number, with their refused request and its reason.
    await page.goto(`${stack.url}/staff/lookup`);
    await page.locator('input[name=q]').fill(studentNumber);
    await page.locator('input[name=q]').press('Enter');
    await page.locator('#story-heading').waitFor();
    expect(await page.locator('#story-heading').innerText()).to.include(student.username);
    const requestRows = await page.locator('table.requests tbody tr').allInnerTexts();
    expect(requestRows).to.have.length(1);
    expect(requestRows[0]).to.include('Refused');
    // The outcome as a sentence in the page's language (the code stays in the markup, not the text).
    expect(requestRows[0]).to.include('The section is full.');
    expect(await page.locator('table.requests [data-code=SECTION_FULL]').count()).to.equal(1);
    await check(page, 'lookup');

    // Audit: what this staff member did, newest first.
    await page.goto(`${stack.url}/staff/audit`);
    await page.locator('input[name=actor]').fill(String(staff.id));
    await page.locator('button', { hasText: 'Show' }).click();
    await page.locator('.audit tbody tr').first().waitFor();
    await page.locator('[aria-live=polite]', { hasText: /\b4 entries/ }).waitFor();
    const actions = await page
      .locator('.audit tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
    // Window created; capacity 55 → 60 (the page); 30 → 55 (the API, between); the import.
    expect(actions).to.deep.equal(['create', 'update', 'update', 'import_catalog']);
    const texts = await page.locator('.audit tbody tr').allInnerTexts();
    expect(texts[1]).to.include('capacity: 55 → 60');
    await check(page, 'audit');

    // Accounts: a new student, deactivated (after a confirm) and given a new password; each a sentence.
    await page.goto(`${stack.url}/staff/users`);
    const fresh = `new_${tag.toLowerCase()}`;
    await page.locator('input[name=username]').fill(fresh);
    await page.locator('input[name=displayName]').fill(`Lee ${tag}`);
    await page.locator('input[name=password]').fill('a-long-password');
    await page.locator('input[name=studentNumber]').fill(`N${tag}`);
    await page.locator('button', { hasText: 'Create' }).click();
    const freshRow = page.locator('tr', { hasText: fresh });
    await freshRow.waitFor();
    page.once('dialog', (d) => void d.accept());
    await freshRow.locator('button', { hasText: 'Deactivate' }).click();
    await freshRow.locator('.badge', { hasText: 'Deactivated' }).waitFor();
    await freshRow.locator('button', { hasText: 'Reset password' }).click();
    await page.locator('input[autocomplete=new-password]').first().fill('another-password');
    await page.locator('form', { hasText: 'New password' }).locator('button', { hasText: 'Save' }).click();
    await page.locator('[role=status]', { hasText: `Password of ${fresh} changed.` }).waitFor();
    const created = await db('users').where({ username: fresh }).first('active', 'role');
    expect(created).to.deep.include({ active: 0, role: 'student' });
    // The same username again is refused with a sentence.
    await page.locator('input[name=username]').fill(fresh);
    await page.locator('input[name=displayName]').fill(`Lee ${tag}`);
    await page.locator('input[name=password]').fill('a-long-password');
    await page.locator('input[name=studentNumber]').fill(`M${tag}`);
    await page.locator('button', { hasText: 'Create' }).click();
    await page.locator('[role=alert]', { hasText: 'Another account already has this username.' }).waitFor();

    // The same page in Korean, and the console's home reached by keyboard from the header.
    await page.goto(`${stack.url}/staff/audit`);
    await page.locator('.audit tbody tr').first().waitFor();
    await page.locator('header select').selectOption('ko');
    expect(await page.locator('h1').innerText()).to.equal('감사 기록');
    expect(await page.locator('.audit th').first().innerText()).to.equal('시각');
    await check(page, 'audit-ko');
    await page.locator('header nav a', { hasText: '운영' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff');
    expect(await page.locator('h1').innerText()).to.equal('운영 콘솔');
    await page.locator('header select').selectOption('en');
    expect(problems).to.deep.equal([]);
    await page.context().close();
  });

  it('shows a student the staff-only page and no Staff link', async () => {
    problems = [];
    const page = await open(PHONE);
    await signIn(page, student, '/');
    expect(await page.locator('header nav a', { hasText: 'Staff' }).count()).to.equal(0);
    await page.goto(`${stack.url}/staff/audit`);
    await page.waitForURL('**/staff-only');
    expect(await page.locator('h1').innerText()).to.equal('Staff only');
    await check(page, 'only');
    expect(problems).to.deep.equal([]);
    await page.context().close();
  });
});
