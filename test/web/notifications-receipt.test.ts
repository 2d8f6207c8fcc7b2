import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { permute } from '../../waiting-room/src/queue/permutation.js';
import { seriousViolations } from '../support/axe.js';
import { openTab as openWatchedTab, screenshotPath, useBrowserWorld } from '../support/browser.js';
import {
  createEnrollmentFixture,
  createSection,
  type EnrollmentFixture,
} from '../support/catalog-fixture.js';
import { testConfig } from '../support/test-config.js';
import { tokenFor } from '../support/tokens.js';
import { createTestUser, type TestUser } from '../support/users.js';

/**
 * Acceptance (c) and (d) of the web app, in Chromium against the real processes behind the gateway:
 * (c) a student in a registration room's pre-queue with others, the draw at the opening, their turn, an
 * enrollment, and the receipt that shows the draw's seed (as MySQL recorded it), their drawn number (as the
 * waiting room gave it) and the request's outcome; (d) a notification written while they were signed out,
 * found on the bell at the next sign-in, listed on the notifications page and marked read, by keyboard.
 */
interface Tab {
  page: Page;
  problems: string[];
}

interface Admitted {
  roomId: number;
  queueNumber: number;
  admissionToken: string;
}

describe('notifications and the receipt, in the browser', function () {
  this.timeout(240_000);
  const cfg = testConfig();
  const world = useBrowserWorld();
  let nextFakeUser = 8_000_000 + Math.floor(Math.random() * 900_000);

  const url = () => world().url;
  const knex = () => world().db;

  async function openTab(locale: string): Promise<Tab> {
    return openWatchedTab(world().browser, { viewport: { width: 390, height: 844 }, locale });
  }

  /**
   * Screenshots at a phone's and a desktop's size, from the top (the app's header is sticky); the whole
   * page, or what the screen shows (an open panel hangs from the header). The page is left at the phone's.
   */
  async function screenshots(page: Page, name: string, fullPage = true): Promise<void> {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: await screenshotPath(`${name}-phone.png`), fullPage });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: await screenshotPath(`${name}-desktop.png`), fullPage });
    await page.setViewportSize({ width: 390, height: 844 });
  }

  async function expectAccessible(page: Page, where: string): Promise<void> {
    expect(await seriousViolations(page), `axe on ${where}`).to.deep.equal([]);
  }

  /** Someone else taking a place, as their own browser would. */
  async function otherJoins(roomId: number): Promise<void> {
    const res = await fetch(`${url()}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokenFor(cfg, nextFakeUser++)}`,
      },
      body: JSON.stringify({ clientRequestId: `other-${nextFakeUser}` }),
    });
    expect(res.status, 'another joins').to.equal(201);
  }

  const roomState = (page: Page, state: string, timeout = 20_000) =>
    page.waitForSelector(`main#room[data-state="${state}"]`, { state: 'attached', timeout });

  /** Presses Tab until the element matching `selector` has the focus; fails if it is never reached. */
  async function tabTo(page: Page, selector: string, maxTabs = 40): Promise<void> {
    for (let i = 0; i < maxTabs; i++) {
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`${selector} was not reached with the Tab key`);
  }

  const bellLabel = (page: Page) => page.locator('button.bell-button').getAttribute('aria-label');
  const unreadRows = async (userId: number) =>
    Number(
      (await knex()('notifications').where({ user_id: userId }).whereNull('read_at').count('* as n'))[0]?.n,
    );
  /** Where a keyboard user starts: a click on the header's empty corner, then Tab from there. */
  const fromHeaderStart = (page: Page) =>
    page.locator('header.app-header').click({ position: { x: 2, y: 2 } });

  /** A registration room whose pre-queue is open and whose opening is far off (the test opens it). */
  async function registrationRoom(): Promise<{ f: EnrollmentFixture; sections: number[] }> {
    const f = await createEnrollmentFixture(knex());
    const now = Date.now();
    await knex()('waiting_rooms')
      .where({ id: f.roomId })
      .update({
        prequeue_opens_at: new Date(now - 3_600_000),
        opens_at: new Date(now + 3_600_000),
        token_ttl_s: 900,
      });
    const a = await createSection(knex(), f, { capacity: 5, meetings: [[1, '09:00', '09:50']] });
    const b = await createSection(knex(), f, { capacity: 5, meetings: [[2, '09:00', '09:50']] });
    return { f, sections: [a.sectionId, b.sectionId] };
  }

  async function waitForRequest(requestId: number): Promise<{ status: string; outcome_code: string }> {
    for (let i = 0; i < 300; i++) {
      const row = await knex()('requests').where({ id: requestId }).first('status', 'outcome_code');
      if (row && row.status !== 'queued') return row as { status: string; outcome_code: string };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`request ${requestId} was not decided`);
  }

  async function enroll(
    accessToken: string,
    admissionToken: string,
    sectionIds: number[],
  ): Promise<{ status: number; requestId: number }> {
    const res = await fetch(`${url()}/api/enrollments`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${accessToken}`,
        'x-admission-token': admissionToken,
        'idempotency-key': `test-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      },
      body: JSON.stringify({ sectionIds }),
    });
    const body = (await res.json()) as { requestId: number };
    return { status: res.status, requestId: body.requestId };
  }

  const sessionAuth = async (page: Page) =>
    JSON.parse((await page.evaluate(() => sessionStorage.getItem('rushline.auth'))) ?? 'null') as {
      accessToken: string;
    };

  it('shows the draw, the drawn number and the outcome on the receipt, and what happened while signed out on the bell', async () => {
    const { f, sections } = await registrationRoom();
    const student: TestUser = await createTestUser(knex());
    const staff = await createTestUser(knex(), 'staff');
    const [courseA] = await knex()('sections as s')
      .join('courses as c', 'c.id', 's.course_id')
      .where('s.id', sections[0])
      .pluck<string[]>('c.code');
    if (!courseA) throw new Error('the fixture has no first section');

    // ---- the waiting room's page, in Korean (the browser's language), then in English
    const { page, problems } = await openTab('ko-KR');
    await page.addInitScript(() => {
      window.addEventListener('rushline:admitted', (e) => {
        sessionStorage.setItem('test.admitted', JSON.stringify((e as CustomEvent).detail));
      });
    });
    await otherJoins(f.roomId);
    await otherJoins(f.roomId);
    await page.goto(`${url()}/rooms/${f.roomId}/`);
    await roomState(page, 'signed-out');
    expect(await page.getAttribute('html', 'lang')).to.equal('ko');
    await page.fill('#username', student.username);
    await page.fill('#password', student.password);
    await page.click('#signin-submit');
    await roomState(page, 'prequeue');
    expect(await page.textContent('#prequeue-title')).to.equal('대기실에 들어왔습니다');
    await expectAccessible(page, 'the waiting room in Korean');
    await screenshots(page, 'notifications-receipt-waiting-room-ko');
    await page.click('#lang');
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    expect(await page.textContent('#prequeue-title')).to.equal("You're in");
    await expectAccessible(page, 'the waiting room in English');
    await otherJoins(f.roomId);
    await otherJoins(f.roomId);

    // ---- the opening: the draw over the five in the pre-queue; the student is third to have joined
    const open = await fetch(`${url()}/operator/rooms/${f.roomId}/actions/open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenFor(cfg, staff.id, 'staff')}` },
    });
    expect(open.status, 'operator opens the room').to.equal(200);
    await roomState(page, 'admitted');
    const admitted = JSON.parse(
      (await page.evaluate(() => sessionStorage.getItem('test.admitted'))) ?? 'null',
    ) as Admitted;
    expect(admitted.roomId).to.equal(f.roomId);
    const seed = (await knex()('waiting_rooms').where({ id: f.roomId }).first('shuffle_seed'))
      ?.shuffle_seed as string | null;
    expect(seed, 'the seed recorded at the opening').to.match(/^\d+$/);
    expect(permute(2, 5, Number(seed)) + 1, 'the drawn number follows from the seed').to.equal(
      admitted.queueNumber,
    );

    // ---- Continue hands over to the app in this tab; the enrollment goes with this tab's admission
    expect(await page.getAttribute('#continue', 'href')).to.equal(`/admitted/${f.roomId}`);
    await page.click('#continue');
    await page.waitForURL(new RegExp(`/terms/${f.termId}/cart`), { timeout: 20_000 });
    await page.waitForSelector('button.bell-button');
    expect(await bellLabel(page)).to.equal('Notifications, none unread');
    const auth = await sessionAuth(page);
    const first = await enroll(auth.accessToken, admitted.admissionToken, [sections[0] as number]);
    expect(first.status).to.equal(202);
    expect(await waitForRequest(first.requestId)).to.deep.equal({
      status: 'committed',
      outcome_code: 'ENROLLED',
    });

    // The outcome's notification arrives live: the badge counts it and a polite region says it once.
    await page.waitForFunction(
      () =>
        document.querySelector('button.bell-button')?.getAttribute('aria-label') ===
        'Notifications, 1 unread',
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.textContent('.bell [aria-live="polite"]')).to.equal(
      'New notification: Course registration complete: you are enrolled in the section you asked for.',
    );
    expect(await page.textContent('.bell .count')).to.equal('1');

    // ---- the receipt, reached from the header's "My receipts"
    await page.click('header a[href="/receipts"]');
    await page.waitForSelector(`a[href="/receipts/${f.roomId}"]`);
    await expectAccessible(page, 'the receipts list');
    await page.click(`a[href="/receipts/${f.roomId}"]`);
    await page.waitForSelector('[data-field="seed"]');
    expect(await page.textContent('[data-field="seed"]')).to.equal(seed);
    expect((await page.textContent('[data-field="queue-number"]'))?.trim()).to.equal(
      String(admitted.queueNumber),
    );
    expect((await page.textContent('[data-field="draw-size"]'))?.trim()).to.equal('5');
    expect(await page.textContent('[data-field="in-draw"]')).to.include('as person number 3 to join');
    expect(await page.isVisible('[data-field="admitted-at"]')).to.equal(true);
    const card = page.locator(`[data-request="${first.requestId}"]`);
    expect((await card.locator('[data-field="outcome"]').textContent())?.trim()).to.equal(
      'Course registration complete: you are enrolled in the section you asked for.',
    );
    await page.waitForFunction(
      (code) => document.querySelector('.items')?.textContent?.includes(code),
      courseA,
      {
        timeout: 10_000,
      },
    );
    expect(await card.locator('.items li').allTextContents()).to.have.length(1);
    expect((await card.locator('.items li').first().textContent())?.replace(/\s+/g, ' ')).to.match(
      new RegExp(`${courseA}-01 .*: Enrolled`),
    );
    await page.click('text=Check my number');
    expect(await page.textContent('[data-field="check-result"]')).to.include(
      `Worked out in your browser: ${admitted.queueNumber}. It matches your number.`,
    );
    await expectAccessible(page, 'the receipt');
    await screenshots(page, 'receipt-room');
    // In Korean, by the header's language switch: the same receipt, outcome and check in Korean words.
    await page.selectOption('header select', 'ko');
    await page.waitForSelector('h1:text("내 대기·신청 기록")');
    expect((await card.locator('[data-field="outcome"]').textContent())?.trim()).to.equal(
      '수강신청이 완료되었습니다.',
    );
    expect((await card.locator('.items li').first().textContent())?.replace(/\s+/g, ' ')).to.match(
      new RegExp(`${courseA}-01 .*: 신청 완료`),
    );
    expect(await page.textContent('[data-field="in-draw"]')).to.include('오픈 전에 3번째로 들어왔습니다');
    expect(await bellLabel(page)).to.equal('알림, 읽지 않음 1');
    await expectAccessible(page, 'the receipt in Korean');
    await screenshots(page, 'receipt-room-ko');
    await page.selectOption('header select', 'en');
    await page.waitForSelector('h1:text("What happened to me")');

    // ---- the bell, by keyboard: open, mark all read, Escape, focus back on the bell
    await fromHeaderStart(page);
    await tabTo(page, 'button.bell-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#notification-panel li');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('notification-panel');
    expect(await page.locator('#notification-panel li').count()).to.equal(1);
    await expectAccessible(page, 'the bell, open');
    await screenshots(page, 'notifications-bell-open', false);
    await tabTo(page, '#notification-panel button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () =>
        document.querySelector('button.bell-button')?.getAttribute('aria-label') ===
        'Notifications, none unread',
    );
    expect(await page.isVisible('#notification-panel')).to.equal(true);
    await page.keyboard.press('Escape');
    expect(await page.isVisible('#notification-panel')).to.equal(false);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('bell-button'))).to.equal(
      true,
    );

    // ---- (d) signed out, a request of theirs is decided; signed in again, the bell has it
    const admission = admitted.admissionToken;
    const token = (await sessionAuth(page)).accessToken;
    await tabTo(page, 'header button.link-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('header a[href^="/login"]');
    expect(await page.locator('button.bell-button').count()).to.equal(0);
    const second = await enroll(token, admission, [sections[1] as number]);
    expect(second.status).to.equal(202);
    expect(await waitForRequest(second.requestId)).to.deep.equal({
      status: 'committed',
      outcome_code: 'ENROLLED',
    });
    expect(await unreadRows(student.id)).to.equal(1);

    await page.click('header a[href^="/login"]');
    await page.fill('input[name="username"]', student.username);
    await page.fill('input[name="password"]', student.password);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () =>
        document.querySelector('button.bell-button')?.getAttribute('aria-label') ===
        'Notifications, 1 unread',
      undefined,
      { timeout: 20_000 },
    );
    await fromHeaderStart(page);
    await tabTo(page, 'button.bell-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#notification-panel li.unread');
    expect(await page.locator('#notification-panel li').count()).to.equal(2);
    await tabTo(page, '#notification-panel a[href="/me/notifications"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/me\/notifications$/);
    await page.waitForSelector('main li.card');
    const items = page.locator('main li.card');
    expect(await items.count()).to.equal(2);
    expect(await items.first().getAttribute('class')).to.include('unread');
    expect((await items.first().locator('.text').textContent())?.replace(/\s+/g, ' ').trim()).to.equal(
      'New Course registration complete: you are enrolled in the section you asked for.',
    );
    expect(await items.nth(1).getAttribute('class')).not.to.include('unread');
    expect(await page.textContent('main [role="status"]')).to.equal('1 unread notification.');
    await expectAccessible(page, 'the notifications page');
    await screenshots(page, 'notifications-page');

    await tabTo(page, 'main button.mark-all');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('main [role="status"]')?.textContent === 'No unread notifications.',
    );
    expect(await bellLabel(page)).to.equal('Notifications, none unread');
    expect(await page.locator('.bell .count').count()).to.equal(0);
    expect(await unreadRows(student.id)).to.equal(0);
    expect(problems).to.deep.equal([]);
  });
});
