import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { signAdmissionToken } from '../../core/admission/admission-token.js';
import { seriousViolations } from '../support/axe.js';
import { openTab, screenshotPath, useBrowserWorld } from '../support/browser.js';
import { createSale, type SaleFixture } from '../support/event-fixture.js';
import { holdSeats } from '../support/hold-seats.js';
import { testConfig } from '../support/test-config.js';
import { createTestUser, type TestUser } from '../support/users.js';

/**
 * The acceptance journey (b), in a real browser against the real processes behind the gateway:
 * a buyer looks at an event's seat map and sees another buyer's hold appear on it live; goes through the
 * sale's waiting room as it opens; chooses two seats and holds them with the keyboard alone; pays with a
 * declining card (and is told so), then with a good one; gets the confirmed ticket; cancels it and sees
 * the refund.
 */
const PHONE = { width: 390, height: 844 };

const DESKTOP = { width: 1280, height: 800 };

describe('the ticket buyer’s journey in a real browser', function () {
  this.timeout(240_000);
  const cfg = testConfig();
  const running = useBrowserWorld();

  /** A fresh profile at a phone's width; its uncaught errors and console errors are collected. */
  async function openPage(): Promise<{ page: Page; problems: string[] }> {
    return openTab(running().browser, { viewport: PHONE, locale: 'en-GB' });
  }

  async function expectAccessible(page: Page, what: string): Promise<void> {
    const found = await seriousViolations(page);
    expect(found, `axe on ${what}`).to.deep.equal([]);
  }

  /** Phone and desktop screenshots of the page as it is now, back at the phone's width after. */
  async function screenshots(page: Page, name: string): Promise<void> {
    // From the top: a full-page shot of a scrolled page draws the sticky header half-way down.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: await screenshotPath(`sale-${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: await screenshotPath(`sale-${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
  }

  /** What has the keyboard focus: a short description to assert on. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { tag: 'body', label: '', text: '', name: '', value: '' };
      return {
        tag: el.tagName.toLowerCase(),
        label: el.dataset.label ?? '',
        text: (el.textContent ?? '').trim(),
        name: el.getAttribute('name') ?? '',
        value: (el as HTMLInputElement).value ?? '',
      };
    });

  /** Presses Tab (or Shift+Tab) until `is` holds for the focused element; fails after `max` presses. */
  async function tabTo(
    page: Page,
    is: (f: Awaited<ReturnType<typeof focused>>) => boolean,
    what: string,
    { back = false, max = 40 } = {},
  ): Promise<void> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
      if (is(await focused(page))) return;
    }
    throw new Error(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} never reached ${what}`);
  }

  /** Waits for the waiting-room page to show one of `states`; on a timeout says what it showed instead. */
  async function roomState(page: Page, states: string[], timeout = 30_000): Promise<void> {
    const selector = states.map((s) => `main#room[data-state="${s}"]`).join(', ');
    try {
      await page.waitForSelector(selector, { state: 'attached', timeout });
    } catch (err) {
      const shown = await page
        .evaluate(() => ({
          state: document.getElementById('room')?.dataset.state,
          error: document.getElementById('error')?.textContent?.trim(),
        }))
        .catch(() => ({ state: '?', error: '?' }));
      throw new Error(`the waiting room did not show ${states.join(' or ')}: ${JSON.stringify(shown)}`, {
        cause: err,
      });
    }
  }

  const seat = (page: Page, label: string) => page.locator(`[role="grid"] button[data-label="${label}"]`);

  async function signIn(page: Page, user: TestUser, next: string): Promise<void> {
    await page.goto(`${running().url}/login?next=${encodeURIComponent(next)}`);
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', user.password);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => u.pathname === next);
  }

  it('shows a hold live, admits through the waiting room, holds by keyboard, is declined, pays, gets the ticket and a refund', async () => {
    const { url, db } = running();
    const sale: SaleFixture = await createSale(db, {
      rows: 6,
      seatsPerRow: 8,
      zoneOf: (r) => (r < 2 ? 'front' : 'back'),
      priceOf: (r) => (r < 2 ? 9_000 : 5_000),
      perUserLimit: 4,
    });
    // The pre-queue is open; the sale opens later (moved to a few seconds away below).
    await db('waiting_rooms')
      .where({ id: sale.roomId })
      .update({ prequeue_opens_at: new Date(Date.now() - 60_000), opens_at: new Date(Date.now() + 600_000) });
    const [buyerA, buyerB] = await Promise.all([createTestUser(db), createTestUser(db)]);
    const { page, problems } = await openPage();

    // 1. Buyer A looks at the seat map (signed in, so it follows the sale live).
    const eventPath = `/events/${sale.eventId}`;
    await signIn(page, buyerA, eventPath);
    await seat(page, 'A1').waitFor();
    await page.waitForSelector('.live[data-live="live"]');
    const mapSection = page.locator('section[data-as-of]');
    const asOf = await mapSection.getAttribute('data-as-of');
    expect(await page.locator('[role="grid"] button[data-label]').count()).to.equal(48);
    expect(await seat(page, 'C3').getAttribute('aria-label')).to.equal('Row C, seat 3, back, US$50.00, free');
    expect(await seat(page, 'A1').getAttribute('aria-label')).to.equal(
      'Row A, seat 1, front, US$90.00, free',
    );
    // Without an admission: the way to the waiting room, with its times.
    const roomLink = page.locator(`a[href="/rooms/${sale.roomId}/"]`);
    expect(await roomLink.textContent()).to.match(/Enter the waiting room/);
    await expectAccessible(page, 'the event page');
    await screenshots(page, 'map');

    // 2. Meanwhile buyer B holds C3 and C4; A's map shows them held without a reload (and without a re-read).
    await holdSeats(url, cfg, db, sale, buyerB.id, ['C3', 'C4']);
    await page.waitForSelector('[role="grid"] button[data-label="C3"][data-status="held"]');
    await page.waitForSelector('[role="grid"] button[data-label="C4"][data-status="held"]');
    expect(await seat(page, 'C3').getAttribute('aria-label')).to.equal('Row C, seat 3, back, US$50.00, held');
    expect(
      await mapSection.getAttribute('data-as-of'),
      'the change came by push, not by reading again',
    ).to.equal(asOf);
    expect(await page.textContent('.zones')).to.match(/back[\s\S]*30 of 32 seats left/);

    // 3. A enters the waiting room (its own page, a full navigation) in the pre-queue; the sale opens.
    await db('waiting_rooms')
      .where({ id: sale.roomId })
      .update({ opens_at: new Date(Date.now() + 4_000) });
    await roomLink.click();
    await page.waitForURL(`${url}/rooms/${sale.roomId}/`);
    // Usually still in the pre-queue; on a slow machine the opening may come first.
    await roomState(page, ['prequeue', 'waiting', 'admitted']);
    await expectAccessible(page, 'the waiting room');
    await roomState(page, ['admitted'], 60_000);
    // Continue: the waiting room hands over to the app's /admitted/<roomId>, which finds the sale's page.
    expect(await page.getAttribute('#continue', 'href')).to.equal(`/admitted/${sale.roomId}`);
    await page.focus('#continue');
    await page.keyboard.press('Enter');
    await page.waitForURL(
      (u) => u.pathname === eventPath && u.searchParams.get('room') === String(sale.roomId),
    );
    await page.waitForSelector('text=It’s your turn');
    await seat(page, 'A1').waitFor();
    await page.waitForSelector('.live[data-live="live"]');

    // 4. Keyboard only: into the map (one tab stop), down to row C, a held seat refuses, C5 and C6 chosen.
    await tabTo(page, (f) => f.label !== '', 'the seat map');
    expect((await focused(page)).label).to.equal('A1');
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowRight']) await page.keyboard.press(key);
    expect((await focused(page)).label).to.equal('C3');
    await page.keyboard.press('Space');
    expect(await page.textContent('.notice')).to.equal('Seat C3 is held; choose a free seat.');
    expect(await seat(page, 'C3').getAttribute('aria-pressed')).to.equal('false');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    expect((await focused(page)).label).to.equal('C6');
    expect(await seat(page, 'C5').getAttribute('aria-pressed')).to.equal('true');
    expect(await seat(page, 'C6').getAttribute('aria-pressed')).to.equal('true');
    expect(await page.textContent('.chosen [role="status"]')).to.match(
      /2 seats chosen: C5, C6\. Total US\$100\.00\./,
    );
    await screenshots(page, 'map-chosen');
    expect((await focused(page)).label, 'focus stays on the seat').to.equal('C6');
    await tabTo(page, (f) => f.text === 'Hold these seats', 'the Hold button', { max: 5 });
    await page.keyboard.press('Enter');

    // 5. Held: the reservation page with the time left to pay.
    await page.waitForURL(/\/reservations\/\d+/);
    const reservationId = Number(/\/reservations\/(\d+)/.exec(page.url())?.[1]);
    await page.waitForSelector('[role="timer"]');
    expect(await page.textContent('[role="timer"]')).to.match(/\d+:\d\d/);
    const held = await db('reservations').where({ id: reservationId }).first();
    expect(held).to.include({ user_id: buyerA.id, status: 'held', amount_cents: 10_000 });
    expect(await page.textContent('table')).to.match(/C5[\s\S]*C6[\s\S]*US\$100\.00/);
    await expectAccessible(page, 'the hold');
    await screenshots(page, 'hold');

    // 6. Keyboard only: the declining card once (declined, in words), then the good card.
    await tabTo(page, (f) => f.name === 'card', 'the card choice');
    expect((await focused(page)).value).to.equal('test_card');
    await page.keyboard.press('ArrowDown');
    expect((await focused(page)).value).to.equal('card_declined');
    await tabTo(page, (f) => f.text.startsWith('Pay '), 'the Pay button', { max: 3 });
    expect((await focused(page)).text).to.equal('Pay US$100.00');
    await page.keyboard.press('Enter');
    await page.waitForSelector('form [role="alert"] .error');
    expect(await page.textContent('form [role="alert"] .error')).to.match(
      /^Your card was declined; nothing was charged\. Your seats stay held until .+: try another card\.$/,
    );
    expect(await db('payments').where({ reservation_id: reservationId }).pluck('status')).to.deep.equal([
      'failed',
    ]);
    await tabTo(page, (f) => f.name === 'card', 'the card choice', { back: true, max: 3 });
    await page.keyboard.press('ArrowUp');
    expect((await focused(page)).value).to.equal('test_card');
    await tabTo(page, (f) => f.text.startsWith('Pay '), 'the Pay button', { max: 3 });
    await page.keyboard.press('Enter');

    // 7. Paid, then confirmed by the worker: the page follows by push and shows the ticket.
    await page.waitForSelector('.badge.confirmed', { timeout: 30_000 });
    expect((await focused(page)).text, 'focus moves to the ticket').to.equal('Your ticket');
    const ticket = (await page.textContent('.ticket')) ?? '';
    expect(ticket).to.include('Your ticket');
    expect(ticket).to.match(new RegExp(`Booking number\\s*${reservationId}`));
    expect(ticket).to.match(/Payment reference\s*sim_ch_/);
    expect(ticket).to.match(/Seats\s*C5, C6/);
    expect(await db('reservations').where({ id: reservationId }).first('status')).to.deep.equal({
      status: 'confirmed',
    });
    await expectAccessible(page, 'the ticket');
    await screenshots(page, 'ticket');

    // 8. Cancel (after confirming in a dialog): the seats go back and the payment is refunded.
    await page.click('button:has-text("Cancel reservation")');
    await page.waitForSelector('dialog[open]');
    expect(await page.textContent('dialog[open]')).to.include(
      'The payment of US$100.00 will be refunded to your card.',
    );
    await expectAccessible(page, 'the cancel dialog');
    await page.click('dialog[open] button:has-text("Yes, cancel")');
    await page.waitForSelector('text=Refunded US$100.00 to your card.');
    expect(await page.textContent('.status-line')).to.include('Cancelled');
    expect(await db('reservations').where({ id: reservationId }).first('status')).to.deep.equal({
      status: 'cancelled',
    });
    expect(
      await db('payments').where({ reservation_id: reservationId }).orderBy('id').pluck('status'),
    ).to.deep.equal(['failed', 'refunded']);
    expect(
      await db('seats').where({ event_id: sale.eventId }).whereIn('label', ['C5', 'C6']).pluck('status'),
    ).to.deep.equal(['free', 'free']);
    await expectAccessible(page, 'the cancelled reservation');

    // 9. My tickets lists it, and the events list; then in Korean.
    await page.click('nav a[href="/reservations"]');
    await page.waitForSelector(`a[href="/reservations/${reservationId}"]`);
    expect(await page.textContent('.cards')).to.match(/Cancelled[\s\S]*C5, C6/);
    await expectAccessible(page, 'my tickets');
    await page.click('nav a[href="/events"]');
    await page.waitForSelector(`a[href="/events/${sale.eventId}"]`);
    await expectAccessible(page, 'the events list');
    await page.selectOption('.lang select', 'ko');
    await page.waitForSelector('h1:has-text("예매")');
    await page.click(`a[href="/events/${sale.eventId}"]`);
    await seat(page, 'C3').waitFor();
    expect(await seat(page, 'C3').getAttribute('aria-label')).to.equal('C열 3번, back, US$50.00, 선점됨');
    expect(await seat(page, 'C5').getAttribute('aria-label')).to.equal('C열 5번, back, US$50.00, 선택 가능');
    await expectAccessible(page, 'the event page in Korean');
    await page.click('nav a[href="/reservations"]');
    await page.waitForSelector('h1:has-text("내 예매 내역")');
    expect(await page.textContent('.cards')).to.include('취소됨');
    await expectAccessible(page, 'my tickets in Korean');

    expect(problems).to.deep.equal([]);
  });

  it('says in words when a chosen seat was just taken, and keeps one request through a lost answer and a reload', async () => {
    const { db } = running();
    const sale = await createSale(db, { rows: 3, seatsPerRow: 6, perUserLimit: 4 });
    const buyer = await createTestUser(db);
    const { page, problems } = await openPage();
    const eventPath = `/events/${sale.eventId}`;
    await signIn(page, buyer, eventPath);
    // The admission the waiting room would have handed over in this tab.
    const admission = signAdmissionToken(cfg.admission, {
      userId: buyer.id,
      roomId: sale.roomId,
      queueNumber: 1,
    });
    await page.evaluate(
      ([key, token]) => sessionStorage.setItem(key as string, token as string),
      [`rushline.admission.${sale.roomId}`, admission.token],
    );
    await page.goto(`${running().url}${eventPath}?room=${sale.roomId}`);
    await page.waitForSelector('text=It’s your turn');
    await page.waitForSelector('.live[data-live="live"]');

    // B1 goes to someone else in the same instant (no push reaches this page): the answer says so.
    await db('seats').where({ event_id: sale.eventId, label: 'B1' }).update({ status: 'held' });
    await seat(page, 'B1').click();
    await seat(page, 'B2').click();
    await page.click('button:has-text("Hold these seats")');
    await page.waitForSelector('text=Seat B1 was just taken by someone else. Choose other seats.');
    expect(await seat(page, 'B1').getAttribute('data-status')).to.equal('held');
    expect(await page.textContent('.chosen [role="status"]')).to.match(/^1 seat chosen: B2\./);
    await expectAccessible(page, 'a seat just taken');

    // The answer to the next request is lost on the way back: the page says so and keeps the request's key.
    await seat(page, 'A1').click();
    let lost = 0;
    await page.route('**/api/reservations', async (route) => {
      if (route.request().method() !== 'POST' || lost > 0) return route.fallback();
      lost++;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.click('button:has-text("Hold these seats")');
    await page.waitForSelector('text=Could not reach the server. Check your connection and try again.');
    // Its seats were held after all (the push says so): not news of someone else taking them.
    await page.waitForSelector('.zones >> text=15 of 18 seats left');
    expect(await page.textContent('.notice')).to.equal('');
    const pending = await page.evaluate(
      (id) => sessionStorage.getItem(`rushline.reserve.${id}`),
      sale.eventId,
    );
    expect(JSON.parse(pending ?? 'null')).to.deep.include({
      body: { eventId: sale.eventId, seatLabels: ['B2', 'A1'] },
    });
    await page.unroute('**/api/reservations');

    // A reload sends the same key again: the server answers with that request, and the hold is reached.
    await page.reload();
    await page.waitForURL(/\/reservations\/\d+/);
    await page.waitForSelector('[role="timer"]');
    const requests = await db('requests').where({ user_id: buyer.id }).orderBy('id').pluck('outcome_code');
    expect(requests).to.deep.equal(['SEATS_TAKEN', 'SEATS_HELD']);
    const reservations = await db('reservations').where({ user_id: buyer.id }).pluck('status');
    expect(reservations).to.deep.equal(['held']);
    expect(
      await page.evaluate((id) => sessionStorage.getItem(`rushline.reserve.${id}`), sale.eventId),
    ).to.equal(null);
    expect(problems).to.deep.equal([]);
  });
});
