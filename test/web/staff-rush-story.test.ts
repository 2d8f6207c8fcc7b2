import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { RoomStatusView } from '../../core/live-events.js';
import { seriousViolations } from '../support/axe.js';
import { openTab, screenshotPath, useBrowserWorld } from '../support/browser.js';
import { createStudents } from '../support/catalog-fixture.js';
import { testConfig } from '../support/test-config.js';
import { mapConcurrent, tokenFor } from '../support/tokens.js';
import { createTestUser, type TestUser } from '../support/users.js';

/**
 * Issue 10's staff story, end to end in Chromium against the real processes: staff signs in, imports a
 * new term's catalog (check, then import), creates a registration window and its waiting room on the
 * windows page, opens the live console, and a scripted crowd of 200 students joins through the API; staff
 * opens the room (confirmed), the admitted figure rises, each admitted student enrolls in the one imported
 * section (capacity below the crowd, so some are ENROLLED, those admitted as the last places go SECTION_FULL,
 * and the rest are told while waiting that the sections are full); staff pauses,
 * resumes and sends a message a student's waiting page shows, finds one student in the support lookup with
 * their outcome, and reads the audit entries of all they did.
 */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const CROWD = 200;
const CAPACITY = 60;
const HEADER =
  'major_code,major_name,professor_name,professor_email,course_code,course_title,credits,section_number,capacity,day,starts_at,ends_at,room';

describe('the staff rush story in a real browser (issue 10)', function () {
  this.timeout(480_000);
  const cfg = testConfig();
  const running = useBrowserWorld();
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const course = `R${tag}1`;

  async function openPage(): Promise<{ page: Page; problems: string[] }> {
    const tab = await openTab(running().browser, {
      viewport: PHONE,
      locale: 'en-GB',
      timezoneId: 'UTC',
    });
    tab.page.setDefaultTimeout(60_000);
    return tab;
  }

  async function expectAccessible(page: Page, what: string): Promise<void> {
    expect(await seriousViolations(page), `axe on ${what}`).to.deep.equal([]);
  }

  async function screenshots(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: await screenshotPath(`staff-rush-${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    await expectAccessible(page, `${name} (desktop)`);
    await page.screenshot({ path: await screenshotPath(`staff-rush-${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
  }

  async function signIn(page: Page, user: TestUser, next: string): Promise<void> {
    await page.goto(`${running().url}/login?next=${encodeURIComponent(next)}`);
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', user.password);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => u.pathname === next);
  }

  /** The number a figure tile shows now (thousands separators removed). */
  const figure = async (page: Page, key: string) =>
    Number(
      (await page.locator(`[data-figure="${key}"] dd`).innerText()).split('/')[0]!.replace(/[^\d.]/g, ''),
    );

  async function figureUntil(page: Page, key: string, ok: (n: number) => boolean, what: string) {
    const end = Date.now() + 120_000;
    let last = NaN;
    while (Date.now() < end) {
      last = await figure(page, key).catch(() => NaN);
      if (ok(last)) return last;
      await page.waitForTimeout(200);
    }
    throw new Error(`${key} never showed ${what}; last ${last}`);
  }

  /** `<input type="datetime-local">` value in UTC (the browser contexts run in UTC). */
  const localInput = (d: Date) => d.toISOString().slice(0, 16);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const join = (roomId: number, userId: number) =>
    fetch(`${running().url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
      body: JSON.stringify({ clientRequestId: `rush-story-${userId}` }),
    }).then(async (r) => (r.status === 201 ? 201 : `${r.status} ${await r.text()}`));

  /**
   * Polls the student's status until admitted, then enrolls with the admission token once; a student still
   * waiting when the room says its sections are all full (ADR 013) has their answer: 'SOLD_OUT'.
   */
  async function admitAndEnroll(
    roomId: number,
    sectionId: number,
    userId: number,
  ): Promise<number | 'SOLD_OUT'> {
    const auth = { authorization: `Bearer ${tokenFor(cfg, userId)}` };
    const end = Date.now() + 300_000;
    let status: RoomStatusView | undefined;
    while (Date.now() < end) {
      const res = await fetch(`${running().url}/rooms/${roomId}/status`, { headers: auth });
      if (res.ok) {
        status = (await res.json()) as RoomStatusView;
        if (status.admitted && status.admissionToken) break;
        if (status.soldOut) return 'SOLD_OUT';
      }
      await sleep(500);
    }
    if (!status?.admissionToken) throw new Error(`user ${userId} was never admitted`);
    const key = `rush-${randomUUID()}`;
    for (;;) {
      const res = await fetch(`${running().url}/api/enrollments`, {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'application/json',
          'idempotency-key': key,
          'x-admission-token': status.admissionToken,
        },
        body: JSON.stringify({ sectionIds: [sectionId] }),
      });
      // A paused room takes no submissions until it resumes (ADR 015): the person tries again then.
      const paused =
        res.status === 409 &&
        ((await res.json()) as { error?: { code?: string } }).error?.code === 'ROOM_PAUSED';
      if (!paused || Date.now() > end) return res.status;
      await sleep(250);
    }
  }

  it('imports, sets up a window and its room, runs a 200-student rush, supports and audits it', async () => {
    const { url, db } = running();
    const staff = await createTestUser(db, 'staff');
    const watcher = await createTestUser(db, 'student');
    // A new, far-future term, so it sorts first in every term picker.
    const year = 2900 + Math.floor(Math.random() * 90);
    const [termId] = (await db('terms').insert({
      code: `T${tag}`,
      name: `Rush term ${tag}`,
      starts_on: `${year}-03-01`,
      ends_on: `${year}-06-30`,
    })) as [number];
    const crowd = await createStudents(db, CROWD, { grade: 2 });
    expect(crowd).to.have.length(CROWD);
    // The student staff will look up afterwards, by number.
    const studentNumber = `N${tag}`;

    // ---- staff signs in through the app
    const { page, problems } = await openPage();
    await signIn(page, staff, '/staff');

    // ---- import a small catalog: check, then import
    await page.goto(`${url}/staff/import`);
    await page.locator('select[name=termId]').selectOption(String(termId));
    const csv = [
      HEADER,
      `RM${tag},Rush ${tag},Prof ${tag},prof.${tag.toLowerCase()}@example.edu,${course},Rush Seminar ${tag},3,1,${CAPACITY},1,09:00,10:15,R ${tag}`,
      `RM${tag},Rush ${tag},Prof ${tag},prof.${tag.toLowerCase()}@example.edu,${course},Rush Seminar ${tag},3,1,${CAPACITY},3,09:00,10:15,R ${tag}`,
    ].join('\n');
    await page.locator('input[type=file]').setInputFiles({
      name: 'rush.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.locator('button', { hasText: 'Check' }).click();
    await page.locator('.import-summary', { hasText: 'No problems found' }).waitFor();
    await expectAccessible(page, 'the import page, checked');
    await page.locator('button', { hasText: 'Import' }).click();
    await page.locator('.import-summary', { hasText: 'Imported' }).waitFor();
    expect(await page.locator('.import-summary').innerText()).to.include('sections 1');
    const sections = await db('sections as s')
      .join('courses as c', 'c.id', 's.course_id')
      .where({ 's.term_id': termId, 'c.code': course })
      .select<{ id: number; capacity: number }[]>('s.id', 's.capacity');
    expect(sections.map((s) => s.capacity)).to.deep.equal([CAPACITY]);
    const sectionId = sections[0]!.id;

    // ---- a registration window, open from this minute until tomorrow
    const now = new Date();
    const windowName = `Rush window ${tag}`;
    await page.goto(`${url}/staff/windows`);
    await page.locator('select[name=termId]').selectOption(String(termId));
    await page.locator('input[name=name]').fill(windowName);
    await page.locator('input[name=opensAt]').fill(localInput(new Date(now.getTime() - 60_000)));
    await page.locator('input[name=closesAt]').fill(localInput(new Date(now.getTime() + 86_400_000)));
    await page.locator('button[type=submit]', { hasText: 'Create' }).click();
    const windowRow = page.locator('tr', { hasText: windowName });
    await windowRow.waitFor();
    const win = await db('registration_windows').where({ term_id: termId }).first<{ id: number }>('id');
    expect(win, 'the window row').to.not.equal(undefined);

    // ---- its waiting room, with the new form: pre-queue now (the default, 10 min before), opening in an hour
    await windowRow.locator('button', { hasText: 'Create its waiting room' }).click();
    const roomForm = page.locator('form', { hasText: `Waiting room for ${windowName}` });
    await roomForm.waitFor();
    expect(await roomForm.locator('input[name=roomName]').inputValue()).to.equal(windowName);
    expect(await roomForm.locator('input[name=admissionRatePerMin]').inputValue()).to.equal('600');
    await roomForm.locator('input[name=roomOpensAt]').fill(localInput(new Date(now.getTime() + 3_600_000)));
    await expectAccessible(page, 'the windows page with the room form');
    await roomForm.locator('button[type=submit]').click();
    const consoleLink = page.locator('a', { hasText: 'Go to its live console' });
    await consoleLink.waitFor();
    const room = await db('waiting_rooms')
      .where({ registration_window_id: win.id })
      .first<{ id: number; kind: string; name: string }>('id', 'kind', 'name');
    expect(room).to.deep.include({ kind: 'registration', name: windowName });
    const roomId = room.id;
    await windowRow.locator('a', { hasText: `Console of ${windowName}` }).waitFor();
    await screenshots(page, 'windows');

    // The same slug again is refused with a sentence.
    await page.goto(`${url}/staff/windows`);
    await page.locator('select[name=termId]').selectOption(String(termId));
    await page.locator('input[name=name]').fill(`${windowName} bis`);
    await page.locator('input[name=opensAt]').fill(localInput(new Date(now.getTime() - 60_000)));
    await page.locator('input[name=closesAt]').fill(localInput(new Date(now.getTime() + 86_400_000)));
    await page.locator('button[type=submit]', { hasText: 'Create' }).click();
    const bisRow = page.locator('tr', { hasText: `${windowName} bis` });
    await bisRow.waitFor();
    await bisRow.locator('button', { hasText: 'Create its waiting room' }).click();
    await page.locator('input[name=slug]').fill(`window-${win.id}`);
    await page.locator('form', { hasText: 'Waiting room for' }).locator('button[type=submit]').click();
    await page
      .locator('[role=alert]', { hasText: 'Another waiting room already has this address name.' })
      .waitFor();
    await page.locator('button', { hasText: 'Cancel' }).first().click();

    // ---- a student waits on the waiting room's page (second browser context)
    const { page: studentPage, problems: studentProblems } = await openPage();
    await signIn(studentPage, watcher, '/');
    await studentPage.goto(`${url}/rooms/${roomId}/`);
    await studentPage.waitForSelector('main#room[data-state="prequeue"]', { state: 'attached' });

    // ---- the live console, from the windows page's link
    await page.goto(`${url}/staff/windows`);
    await page.locator('select[name=termId]').selectOption(String(termId));
    await page.locator('a', { hasText: `Console of ${windowName}` }).click();
    await page.waitForURL(`**/staff/rooms/${roomId}`);
    await page.locator('[data-figure="waiting"]').waitFor();
    await figureUntil(page, 'waiting', (n) => n === 1, 'the one student waiting');
    expect(await page.locator('.phase-line .badge').innerText()).to.equal('The room is pre-queue');

    // ---- the crowd joins the pre-queue through the gateway
    const statuses = await mapConcurrent(crowd, 20, (u) => join(roomId, u));
    expect(statuses.filter((s) => s !== 201).slice(0, 3), 'refused joins').to.deep.equal([]);
    await figureUntil(page, 'waiting', (n) => n === CROWD + 1, `${CROWD + 1} waiting`);
    await expectAccessible(page, 'the console, pre-queue');

    // ---- open, confirmed; the crowd, once admitted, enrolls
    await page.click('button:text-is("Open the room")');
    await page.locator('button:text-is("Yes, do it")').click();
    await page.locator('.result:has-text("The room is now open")').waitFor();
    const rush = mapConcurrent(crowd, 20, (u) => admitAndEnroll(roomId, sectionId, u));
    rush.catch(() => undefined); // awaited below; keep an early failure from being unhandled
    const first = await figureUntil(page, 'admitted', (n) => n > 0, 'anyone admitted');
    await figureUntil(page, 'admitted', (n) => n > first, `more than ${first} admitted`);
    await expectAccessible(page, 'the console mid-rush');
    await screenshots(page, 'console');

    // ---- pause and resume, each shown
    await page.click('button:text-is("Pause admission")');
    await page.locator('.result:has-text("The room is now open (admission paused)")').waitFor();
    await page.locator('.phase-line .badge:has-text("(admission paused)")').waitFor();
    await page.click('button:text-is("Resume admission")');
    await page.locator('.result:has-text("Done: Resume admission")').waitFor();
    await page.locator('button:text-is("Pause admission")').waitFor();

    // ---- a message the student's page shows
    const text = `Rush ${tag}: section ${course}-1 has ${CAPACITY} places.`;
    await page.fill('textarea', text);
    await page.click('button:text-is("Send message")');
    await page.locator('.result:has-text("Message sent to everyone in the room.")').waitFor();
    await studentPage.locator('#message-text').filter({ hasText: text }).waitFor();

    // ---- every student has an answer: admitted and enrolled (CAPACITY enrolled, those admitted while the
    // last places went refused as full), or still waiting when the room said its sections are full
    const enrollStatuses = await rush;
    const submitted = enrollStatuses.filter((s) => s === 202).length;
    const toldFull = enrollStatuses.filter((s) => s === 'SOLD_OUT').length;
    expect(submitted + toldFull, `answers: ${enrollStatuses.join(',')}`).to.equal(CROWD);
    expect(submitted, 'admitted while the last places went').to.be.greaterThan(CAPACITY);
    expect(toldFull, 'told the sections are full while waiting').to.be.greaterThan(0);
    await figureUntil(page, 'admitted', (n) => n >= submitted, `${submitted} admitted`);
    let outcomes: { outcome_code: string; n: number }[] = [];
    for (let i = 0; i < 600; i++) {
      outcomes = await db('requests')
        .where({ room_id: roomId })
        .whereNot({ status: 'queued' })
        .groupBy('outcome_code')
        .orderBy('outcome_code')
        .select('outcome_code', db.raw('count(*) as n'));
      if (outcomes.reduce((a, o) => a + Number(o.n), 0) === submitted) break;
      await sleep(200);
    }
    expect(outcomes.map((o) => [o.outcome_code, Number(o.n)])).to.deep.equal([
      ['ENROLLED', CAPACITY],
      ['SECTION_FULL', submitted - CAPACITY],
    ]);
    expect((await db('sections').where({ id: sectionId }).first('enrolled')).enrolled).to.equal(CAPACITY);

    // ---- support lookup: one refused student, by number, with their outcome
    const refused = await db('requests')
      .where({ room_id: roomId, outcome_code: 'SECTION_FULL' })
      .orderBy('id')
      .first<{ user_id: number }>('user_id');
    await db('users').where({ id: refused.user_id }).update({ student_number: studentNumber });
    await page.goto(`${url}/staff/lookup`);
    await page.locator('input[name=q]').fill(studentNumber);
    await page.locator('input[name=q]').press('Enter');
    await page.locator('#story-heading').waitFor();
    const requestRows = await page.locator('table.requests tbody tr').allInnerTexts();
    expect(requestRows).to.have.length(1);
    expect(await page.locator('table.requests [data-code=SECTION_FULL]').count()).to.equal(1);
    expect(requestRows[0]).to.include('Refused');
    expect(requestRows[0]).to.include('is full');
    await expectAccessible(page, 'the support lookup');

    // ---- the audit log: what this staff member did, newest first
    await page.goto(`${url}/staff/audit`);
    await page.locator('input[name=actor]').fill(String(staff.id));
    await page.locator('button', { hasText: 'Show' }).click();
    await page.locator('[aria-live=polite]', { hasText: /\b8 entries/ }).waitFor();
    const actions = await page
      .locator('.audit tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
    // message, resume, pause, open (the room); the room; the second window; the window; the import.
    expect(actions).to.deep.equal([
      'message',
      'resume',
      'pause',
      'open',
      'create',
      'create',
      'create',
      'import_catalog',
    ]);
    const audited = await db('audit_log')
      .where({ actor_user_id: staff.id })
      .orderBy('id')
      .select<{ entity: string; action: string }[]>('entity', 'action');
    expect(
      audited.map((a) => `${a.entity}:${a.action}`).filter((a) => a.startsWith('waiting_room')),
    ).to.deep.equal([
      'waiting_room:create',
      'waiting_room:open',
      'waiting_room:pause',
      'waiting_room:resume',
      'waiting_room:message',
    ]);
    await expectAccessible(page, 'the audit log');

    expect(problems, 'staff page problems').to.deep.equal([]);
    expect(studentProblems, 'student page problems').to.deep.equal([]);
  });
});
