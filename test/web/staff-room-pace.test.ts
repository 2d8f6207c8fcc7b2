import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { seriousViolations } from '../support/axe.js';
import {
  openTab,
  screenshotPath,
  signInThroughPage,
  useBrowserWorld,
  type WatchedTab,
} from '../support/browser.js';
import { createStudents } from '../support/catalog-fixture.js';
import { createSale, eventually } from '../support/event-fixture.js';
import { testConfig } from '../support/test-config.js';
import { createTestUser } from '../support/users.js';
import { createTestRoom } from '../support/waiting-room-harness.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { redisKeys } from '../../core/redis-keys.js';
import { PaceStore } from '../../waiting-room/src/admission/pace-store.js';

/**
 * Adaptive admission in the browser (ADR 012, 013): staff see a room's effective rate and mode on its live
 * console and pin it, and the figure follows; the home page says a sale that is sold out is so.
 */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const RATE = 600;

describe('adaptive admission in a real browser', function () {
  this.timeout(180_000);
  // A small backlog target, so a handful of queued requests makes the leader cut the pace.
  const running = useBrowserWorld({ ADMISSION_PACE_BACKLOG: '5' });
  const openPage = (locale = 'en-GB'): Promise<WatchedTab> =>
    openTab(running().browser, { viewport: PHONE, locale });

  /** Waits until a figure tile's text passes `ok`; says what the tiles showed on a timeout. */
  async function tileUntil(
    page: Page,
    key: string,
    ok: (text: string) => boolean,
    what: string,
  ): Promise<string> {
    const tile = page.locator(`[data-figure="${key}"] dd`);
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const text = (await tile.count()) === 1 ? await tile.innerText() : '';
      if (ok(text)) return text;
      await page.waitForTimeout(200);
    }
    const shown = await page
      .locator('[data-figure]')
      .evaluateAll((tiles) =>
        tiles.map((t) => `${t.getAttribute('data-figure')}=${t.querySelector('dd')?.textContent}`),
      );
    throw new Error(`${key} never showed ${what}; the tiles showed ${shown.join(', ')}`);
  }
  const tileShows = (page: Page, key: string, text: string) => tileUntil(page, key, (t) => t === text, text);

  /** n requests of the room waiting to commit, whose job was never written (one job would carry them). */
  async function queueRequests(roomId: number, n: number): Promise<void> {
    const { db } = running();
    const students = await createStudents(db, n);
    await db('requests').insert(
      students.map((userId, i) => ({
        user_id: userId,
        room_id: roomId,
        idempotency_key: `pace-${roomId}-${i}`,
        kind: 'enrollment',
        payload: '{"sectionIds":[1]}',
        commit_job_id: `pace-${roomId}`,
      })),
    );
  }

  it('shows the effective rate and the mode, and pins the rate (and frees it) from the console', async () => {
    const { db } = running();
    const staff = await createTestUser(db, 'staff');
    // Open, adaptive (the default), nobody waiting; a commit backlog over the stack's target of 5.
    const roomId = await createTestRoom(db, { ratePerMin: RATE, maxActive: 1_000 });
    await queueRequests(roomId, 10);

    const { page, problems } = await openPage();
    await signInThroughPage(page, running().url, staff, `/staff/rooms/${roomId}`);
    await tileShows(page, 'mode', 'Adaptive');
    await tileShows(page, 'rate', '600');
    // The leader halves the pace at most every 2 s while the backlog stays over its target.
    await tileUntil(page, 'rateEffective', (t) => t !== '' && Number(t) < RATE, 'a pace cut below the rate');
    expect(await page.locator('input[name="admission-mode"][value="adaptive"]').isChecked()).to.equal(true);
    expect(await seriousViolations(page), 'axe on the console').to.deep.equal([]);

    // ---- pinned: admission runs at the configured rate, whatever the commits
    await page.getByLabel('Pinned at the rate, whatever the commits').check();
    await page.click('button:text-is("Save rate, mode and maximum")');
    await page
      .locator('.result:has-text("Saved: 600 a minute, at most 1,000 active. Admission: Pinned.")')
      .waitFor();
    await tileShows(page, 'mode', 'Pinned');
    await tileShows(page, 'ratePinned', '600');
    expect(await page.locator('[data-figure="rateEffective"]').count()).to.equal(0);
    const row = await db('waiting_rooms').where({ id: roomId }).first<{ admission_mode: string }>();
    expect(row?.admission_mode).to.equal('fixed');
    await page.screenshot({ path: await screenshotPath('staff-rooms-pinned-phone.png'), fullPage: true });
    // The leader applies the pin at its next pass after it reads the room again (ADR 007's ticks stretch
    // on a busy host): freed before that, the pace would carry on from the old cut.
    const cfg = testConfig();
    const redis = createRedis(cfg);
    try {
      await waitForRedis(redis);
      const paces = new PaceStore(redis, redisKeys(cfg.redis.prefix));
      await eventually(
        async () => ((await paces.effectiveRate(roomId)) === RATE ? true : undefined),
        60_000,
        'the leader to store the pinned rate',
      );
    } finally {
      redis.disconnect();
    }
    // The backlog is gone: an adaptive pace has no reason left to cut.
    await db('requests').where({ room_id: roomId, status: 'queued' }).update({ status: 'rejected' });

    // ---- freed: the pace carries on from the rate the pinned room ran at, not from the old cut
    await page.getByLabel('Adaptive: follows what the commits absorb, up to the rate').check();
    await page.click('button:text-is("Save rate, mode and maximum")');
    await page.locator('.result:has-text("Admission: Adaptive.")').waitFor();
    await tileShows(page, 'mode', 'Adaptive');
    await tileShows(page, 'rateEffective', '600');
    expect(problems).to.deep.equal([]);
  });

  it('says the same in Korean', async () => {
    const { db } = running();
    const staff = await createTestUser(db, 'staff');
    const roomId = await createTestRoom(db, { ratePerMin: RATE, maxActive: 1_000 });
    await db('waiting_rooms').where({ id: roomId }).update({ admission_mode: 'fixed' });
    const { page, problems } = await openPage('ko-KR');
    await signInThroughPage(page, running().url, staff, `/staff/rooms/${roomId}`);
    await tileShows(page, 'mode', '고정');
    await tileShows(page, 'ratePinned', '600');
    expect(await page.locator('legend').innerText()).to.equal('입장 방식');
    expect(problems).to.deep.equal([]);
  });

  it('shows a sold-out sale as sold out on the home page', async () => {
    const { url, db } = running();
    const sale = await createSale(db, { rows: 1, seatsPerRow: 2 });
    const title = `Test concert ${sale.tag}`;
    const { page, problems } = await openPage();
    const card = page.locator('li.card', { hasText: title });
    // The room reads as upcoming until the admission leader has found and opened it (its next room
    // sync): load the page again until it is open, as a visitor would.
    let opened = '';
    for (let attempt = 0; attempt < 40 && opened !== 'Open now'; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 500));
      await page.goto(`${url}/`);
      await card.waitFor();
      opened = await card.locator('.badge').innerText();
    }
    expect(opened).to.equal('Open now');

    // Every seat sold: the admission leader marks the room sold out within about a second (ADR 013).
    await db('seats').where({ event_id: sale.eventId }).update({ status: 'sold' });
    let badge = '';
    for (let i = 0; i < 60 && badge !== 'Sold out'; i++) {
      await page.waitForTimeout(500);
      await page.reload();
      await card.waitFor();
      badge = await card.locator('.badge').innerText();
    }
    expect(badge).to.equal('Sold out');
    expect(await seriousViolations(page), 'axe on the home page').to.deep.equal([]);
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: await screenshotPath('home-sold-out-desktop.png'), fullPage: true });
    expect(problems).to.deep.equal([]);
  });
});
