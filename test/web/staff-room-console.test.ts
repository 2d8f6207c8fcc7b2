import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { seriousViolations } from '../support/axe.js';
import { openTab, screenshotPath, useBrowserWorld } from '../support/browser.js';
import { testConfig } from '../support/test-config.js';
import { mapConcurrent, tokenFor } from '../support/tokens.js';
import { createTestUser, type TestUser } from '../support/users.js';
import { createTestRoom } from '../support/waiting-room-harness.js';

/**
 * The live room console in a real browser against the real processes: staff opens a room's console and
 * watches its figures move while a scripted crowd joins through the API, opens the room (confirmed), sees
 * admitted rise, pauses and resumes, and sends a message that a student's waiting-room page shows; each
 * action is in the audit log.
 */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const CROWD = 120;

describe('the staff live room console in a real browser', function () {
  this.timeout(240_000);
  const cfg = testConfig();
  const running = useBrowserWorld();

  async function openPage(): Promise<{ page: Page; problems: string[] }> {
    return openTab(running().browser, { viewport: PHONE, locale: 'en-GB' });
  }

  async function expectAccessible(page: Page, what: string): Promise<void> {
    expect(await seriousViolations(page), `axe on ${what}`).to.deep.equal([]);
  }

  async function screenshots(page: Page, name: string): Promise<void> {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: await screenshotPath(`staff-rooms-${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: await screenshotPath(`staff-rooms-${name}-desktop.png`), fullPage: true });
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

  /** Waits until the figure tile satisfies `ok`; says what it showed on a timeout. */
  async function figureUntil(
    page: Page,
    key: string,
    ok: (n: number) => boolean,
    what: string,
  ): Promise<number> {
    const end = Date.now() + 60_000;
    let last = NaN;
    while (Date.now() < end) {
      last = await figure(page, key).catch(() => NaN);
      if (ok(last)) return last;
      await page.waitForTimeout(200);
    }
    throw new Error(`${key} never showed ${what}; last ${last}`);
  }

  const join = (roomId: number, userId: number) =>
    fetch(`${running().url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
      body: JSON.stringify({ clientRequestId: `crowd-${userId}` }),
    }).then((r) => r.status);

  it('watches the figures move as a crowd joins, opens, pauses, resumes and messages the room, all audited', async () => {
    const { url, db } = running();
    const staff = await createTestUser(db, 'staff');
    const student = await createTestUser(db, 'student');
    // Pre-queue open, the opening an hour away: the console opens it.
    const roomId = await createTestRoom(db, { ratePerMin: 600, maxActive: 10_000, opensInMs: 3_600_000 });
    const roomName = (await db('waiting_rooms').where({ id: roomId }).first<{ name: string }>('name')).name;

    // ---- a student waits on the waiting room's own page
    const { page: studentPage, problems: studentProblems } = await openPage();
    await signIn(studentPage, student, '/');
    await studentPage.goto(`${url}/rooms/${roomId}/`);
    await studentPage.waitForSelector('main#room[data-state="prequeue"]', {
      state: 'attached',
      timeout: 30_000,
    });

    // ---- the staff list of rooms
    const { page, problems } = await openPage();
    await signIn(page, staff, '/staff/rooms');
    const link = page.locator(`a:text-is("${roomName}")`);
    await link.waitFor();
    await expectAccessible(page, 'the rooms list');
    await screenshots(page, 'list');

    // ---- the console, by keyboard from the list
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/staff/rooms/${roomId}`);
    await page.locator('[data-figure="waiting"]').waitFor();
    const before = await figure(page, 'waiting');
    expect(before).to.equal(1); // the student on the waiting page
    expect(await page.locator('.phase-line .badge').innerText()).to.equal('The room is pre-queue');

    // ---- a crowd joins through the API; the waiting figure rises while the page is open
    const statuses = await mapConcurrent(
      Array.from({ length: CROWD }, (_, i) => 700_000 + i),
      20,
      (u) => join(roomId, u),
    );
    expect(statuses.filter((s) => s === 201)).to.have.length(CROWD);
    await figureUntil(page, 'waiting', (n) => n === CROWD + 1, `${CROWD + 1} waiting`);
    await expectAccessible(page, 'the console, pre-queue');
    await screenshots(page, 'console-prequeue');

    // ---- open, confirmed
    await page.click('button:text-is("Open the room")');
    const yes = page.locator('button:text-is("Yes, do it")');
    await yes.waitFor();
    expect(await page.locator('#confirm-q').innerText()).to.include(`Open “${roomName}” now?`);
    expect(
      await page.evaluate(() => document.activeElement?.textContent?.trim()),
      'focus on confirm',
    ).to.equal('Yes, do it');
    await page.keyboard.press('Enter');
    await page.locator('.result:has-text("The room is now open")').waitFor({ timeout: 30_000 });
    await page.locator('[role="status"][aria-live="polite"]:has-text("The room is open")').waitFor({
      state: 'attached',
      timeout: 30_000,
    });
    const first = await figureUntil(page, 'admitted', (n) => n > 0, 'anyone admitted');
    await figureUntil(page, 'admitted', (n) => n > first, `more than ${first} admitted`);
    await expectAccessible(page, 'the console, open');
    await screenshots(page, 'console-open');

    // ---- pause and resume
    await page.click('button:text-is("Pause admission")');
    await page
      .locator('.result:has-text("The room is now open (admission paused)")')
      .waitFor({ timeout: 30_000 });
    await page.locator('.phase-line .badge:has-text("(admission paused)")').waitFor({ timeout: 30_000 });
    await page.click('button:text-is("Resume admission")');
    await page.locator('.result:has-text("Done: Resume admission")').waitFor({ timeout: 30_000 });
    await page.locator('button:text-is("Pause admission")').waitFor({ timeout: 30_000 });

    // ---- a message the student's waiting page shows
    const text = `Console check ${roomId}: the room stays open until 18:00.`;
    await page.fill('textarea', text);
    await page.click('button:text-is("Send message")');
    await page.locator('.result:has-text("Message sent to everyone in the room.")').waitFor();
    await studentPage.locator('#message-text').filter({ hasText: text }).waitFor({ timeout: 30_000 });

    // ---- rate and maximum
    await page.fill('input[type="number"] >> nth=0', '900');
    await page.click('button:text-is("Save rate, mode and maximum")');
    await page.locator('.result:has-text("Saved: 900 a minute, at most 10,000 active.")').waitFor();
    await figureUntil(page, 'rate', (n) => n === 900, 'the new rate');

    // ---- withdrawing an admission asks first; someone without one is told so
    await page.fill('input[type="number"] >> nth=2', '999999');
    await page.click('button:text-is("Withdraw admission")');
    expect(await page.locator('#confirm-q').innerText()).to.include('Withdraw the admission of user 999999?');
    await page.click('button:text-is("Yes, do it")');
    await page.locator('.result:has-text("User 999999 holds no admission in this room")').waitFor();

    // ---- closing asks first; cancelling changes nothing
    await page.click('button:text-is("Close the room")');
    await page.click('button:text-is("Cancel")');
    expect(await page.locator('#confirm-q').count()).to.equal(0);

    // ---- the audit log holds each action, by this staff member, in order
    const rows = await db('audit_log')
      .where({ entity: 'waiting_room', entity_id: String(roomId), actor_user_id: staff.id })
      .orderBy('id')
      .pluck('action');
    expect(rows).to.deep.equal(['open', 'pause', 'resume', 'message', 'edit']);

    // ---- in Korean
    await page.selectOption('header select', 'ko');
    await page.locator('h2:text-is("현황")').waitFor();
    expect(await page.locator('[data-figure="waiting"] dt').innerText()).to.equal('대기 인원');
    await expectAccessible(page, 'the console in Korean');
    await screenshots(page, 'console-ko');

    expect(problems, 'staff page problems').to.deep.equal([]);
    expect(studentProblems, 'student page problems').to.deep.equal([]);
  });

  it('does not let a student watch the figures', async () => {
    const { db } = running();
    const student = await createTestUser(db, 'student');
    const roomId = await createTestRoom(db, {});
    const { page } = await openPage();
    await signIn(page, student, '/');
    await page.goto(`${running().url}/staff/rooms/${roomId}`);
    // The staff guard shows a student the "staff only" page; the socket refuses them anyway (waiting-room test).
    await page.waitForURL((u) => u.pathname === '/staff-only');
    expect(await page.locator('[data-figure="waiting"]').count()).to.equal(0);
    await expectAccessible(page, 'the staff-only page');
  });
});
