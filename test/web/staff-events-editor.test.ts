import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Browser, Page } from 'playwright-core';
import {
  nextGridRow,
  previewSeats,
  rowOfSeats,
  toCents,
  zonesOf,
  type StaffSeat,
} from '../../web/src/staff/events/seat-map-edits.js';
import { seriousViolations } from '../support/axe.js';
import { openWatchedPage, screenshotPath, signInThroughPage, useBrowserWorld } from '../support/browser.js';
import { testConfig } from '../support/test-config.js';
import { tokenFor } from '../support/tokens.js';
import { createTestUser, type TestUser } from '../support/users.js';
import { fillStaffListsPastOnePage } from '../support/long-lists.js';
import type { WebStack } from '../support/web-stack.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/**
 * The event editor and the support lookup in Chromium against the real processes: a staff member creates
 * an event (and meets a stale version), lays out a zone of two rows, changes the zone's price, stops
 * selling a seat, and is refused — in a sentence — when the map changes while the sale's room is open; the
 * lookup in Korean says a student's outcome and notification in Korean, never the server's English.
 */
describe('the staff event editor and the lookup in a real browser', function () {
  this.timeout(240_000);
  const cfg = testConfig();
  const running = useBrowserWorld();
  let stack: WebStack;
  let browser: Browser;
  let db: Knex;
  let staff: TestUser;
  let student: TestUser;
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const title = `Concert ${tag}`;
  const studentNumber = `E${tag}${Math.floor(Math.random() * 1000)}`;
  const serverMessage = `Section Z${tag}-1 is full`;
  const notificationMessage = `Your course registration was refused: section Z${tag}-1 is full`;
  let problems: string[] = [];

  before(async () => {
    ({ stack, browser, db } = running());
    await fillStaffListsPastOnePage(db);
    staff = await createTestUser(db, 'staff');
    student = await createTestUser(db, 'student');
    await db('users')
      .where({ id: student.id })
      .update({ student_number: studentNumber, display_name: `Park ${tag}` });
    const [requestId] = (await db('requests').insert({
      user_id: student.id,
      idempotency_key: `staff-events-${tag}`,
      commit_job_id: `staff-events-${tag}`,
      kind: 'enrollment',
      payload: JSON.stringify({ termId: 1, sectionIds: [1] }),
      status: 'rejected',
      outcome_code: 'SECTION_FULL',
      outcome_message: serverMessage,
      completed_at: new Date(),
    })) as [number];
    await db('notifications').insert([
      {
        user_id: student.id,
        kind: 'request',
        code: 'SECTION_FULL',
        message: notificationMessage,
        params: JSON.stringify({ requestKind: 'enrollment', status: 'rejected' }),
        link: JSON.stringify({ requestId }),
      },
      {
        user_id: student.id,
        kind: 'reservation',
        code: 'RESERVATION_EXPIRED',
        message: 'Your hold on A1 ran out before payment',
        params: JSON.stringify({ seats: 'A1' }),
        link: JSON.stringify({}),
      },
    ]);
  });

  const open = (locale: string) => openWatchedPage(browser, problems, { viewport: PHONE, locale });

  const signIn = (page: Page, user: TestUser, next: string) => signInThroughPage(page, stack.url, user, next);

  /** axe and both screenshots of the page as it is now; no message key shown untranslated. */
  async function check(page: Page, name: string): Promise<void> {
    expect(await page.locator('main').innerText(), `keys on ${name}`).to.not.match(/\bstaff\w*\.\w+/);
    expect(await seriousViolations(page), `axe on ${name}`).to.deep.equal([]);
    await page.screenshot({ path: await screenshotPath(`staff-${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    expect(await seriousViolations(page), `axe on ${name} (desktop)`).to.deep.equal([]);
    await page.screenshot({ path: await screenshotPath(`staff-${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
  }

  const seatsOf = (eventId: number) =>
    db('seats').where({ event_id: eventId }).orderBy('id').select<
      {
        label: string;
        zone: string;
        row_label: string;
        pos_x: number;
        pos_y: number;
        price_cents: number;
        active: number;
      }[]
    >('label', 'zone', 'row_label', 'pos_x', 'pos_y', 'price_cents', 'active');

  it('creates an event, lays out and prices its seats, and says why the map is refused while its room is open', async () => {
    problems = [];
    const page = await open('en-GB');
    await signIn(page, staff, '/staff/events');
    expect(await page.locator('h1').innerText()).to.equal('Events and seat maps');
    await check(page, 'events');

    // Create.
    await page.locator('select[name=kind]').selectOption('concert');
    await page.locator('input[name=title]').fill(title);
    await page.locator('input[name=venue]').fill('Hall A');
    await page.locator('input[name=startsAt]').fill('2999-05-01T19:00');
    await page.locator('button', { hasText: 'Create' }).click();
    const row = page.locator('tr', { hasText: title });
    await row.waitFor();
    const event = await db('events').where({ title }).first<{ id: number; version: number }>('id', 'version');
    expect(event).to.not.equal(undefined);
    const eventId = event.id;

    // The filter finds it alone.
    await page.locator('input[name=q]').fill(tag);
    await page.locator('button', { hasText: 'Filter' }).click();
    await page.locator('[aria-live=polite]', { hasText: /\b1 event\b/ }).waitFor();
    expect(await page.locator('.staff-table tbody tr').count()).to.equal(1);

    // Edit while someone else changes it: the stale version is a sentence with the row as it is now.
    await row.locator('button', { hasText: 'Edit' }).click();
    await page.locator('input[name=venue]').fill('Hall B');
    const auth = { authorization: `Bearer ${tokenFor(cfg, staff.id, 'staff')}` };
    const changed = await fetch(`${stack.url}/api/staff/events/${eventId}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json', 'if-match': `"v${event.version}"` },
      body: JSON.stringify({ venue: 'Hall C' }),
    });
    expect(changed.status).to.equal(200);
    await page.locator('button', { hasText: 'Save' }).click();
    const conflict = page.locator('.staff-conflict');
    await conflict.locator('.current-values').waitFor();
    expect(await conflict.innerText()).to.include('Someone changed this while you were editing');
    expect(await conflict.innerText()).to.include('Hall C');
    await check(page, 'events-conflict');
    await page.locator('button', { hasText: 'Reload the current values' }).click();
    expect(await page.locator('input[name=venue]').inputValue()).to.equal('Hall C');
    await page.locator('input[name=venue]').fill('Hall D');
    await page.locator('button', { hasText: 'Save' }).click();
    await page.locator('[role=status]', { hasText: 'Saved.' }).waitFor();
    expect((await db('events').where({ id: eventId }).first('venue')).venue).to.equal('Hall D');

    // The seat map: a zone of two rows of six.
    await row.locator('a', { hasText: 'Seat map' }).click();
    await page.waitForURL(`**/staff/events/${eventId}/seats`);
    await page.locator('h1', { hasText: `Seat map of ${title}` }).waitFor();
    expect(await page.locator('.muted', { hasText: 'No seats yet' }).count()).to.equal(1);
    await check(page, 'event-seats-empty');
    for (const label of ['A', 'B']) {
      await page.locator('input[name=zone]').fill('Floor');
      await page.locator('input[name=row]').fill(label);
      await page.locator('input[name=count]').fill('6');
      await page.locator('input[name=price]').fill('50');
      await page.locator('button', { hasText: 'Add seats' }).click();
      await page.locator('[aria-live=polite] .done', { hasText: `Row ${label}: 6 seats added.` }).waitFor();
    }
    let seats = await seatsOf(eventId);
    expect(seats.map((s) => s.label)).to.deep.equal([
      'A1',
      'A2',
      'A3',
      'A4',
      'A5',
      'A6',
      'B1',
      'B2',
      'B3',
      'B4',
      'B5',
      'B6',
    ]);
    expect(seats.map((s) => [s.pos_x, s.pos_y])).to.deep.equal([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0],
      [5, 0],
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
    expect(new Set(seats.map((s) => s.price_cents))).to.deep.equal(new Set([5000]));
    expect(await page.locator('.seat-map [role=row]').count()).to.equal(2);
    expect(await page.locator('.seat-map button.seat').count()).to.equal(12);

    // The zone's price, all twelve seats at once.
    await page.locator('input[name=zonePrice]').fill('75');
    await page.locator('button', { hasText: 'Change price' }).click();
    await page.locator('[aria-live=polite] .done', { hasText: 'Zone Floor: 12 seats now cost' }).waitFor();
    seats = await seatsOf(eventId);
    expect(new Set(seats.map((s) => s.price_cents))).to.deep.equal(new Set([7500]));
    expect(await page.locator('.zone-line').innerText()).to.include('12 seats');

    // One seat chosen on the map and taken off sale: it leaves the map for the list beside it.
    await page.locator('.seat-map button[data-label="A1"]').click();
    await page.locator('.seat-editor h2', { hasText: 'Seat A1' }).waitFor();
    await page.locator('.seat-editor button', { hasText: 'Stop selling' }).click();
    await page.locator('[aria-live=polite] .done', { hasText: 'Seat A1 saved.' }).waitFor();
    expect((await seatsOf(eventId)).filter((s) => !s.active).map((s) => s.label)).to.deep.equal(['A1']);
    expect(await page.locator('.seat-map button.seat').count()).to.equal(11);
    expect(await page.locator('.off-map button').allInnerTexts()).to.deep.equal(['A1']);
    await check(page, 'event-seats');

    // The sale's room opens: the page says so, and a price change is refused with a sentence.
    await db('waiting_rooms').insert({
      slug: `sale-${tag.toLowerCase()}`,
      name: `Sale ${tag}`,
      kind: 'sale',
      event_id: eventId,
      state: 'open',
      admission_rate_per_min: 600,
      max_active: 1000,
      prequeue_opens_at: new Date(Date.now() - 3_600_000),
      opens_at: new Date(Date.now() - 60_000),
    });
    await page.reload();
    await page.locator('.room-live').waitFor();
    expect(await page.locator('.room-live').innerText()).to.include('cannot change until it is closed');
    await page.locator('input[name=zonePrice]').fill('80');
    await page.locator('button', { hasText: 'Change price' }).click();
    const refusal = page.locator('[aria-live=polite] .refusal');
    await refusal.waitFor();
    expect(await refusal.innerText()).to.include(
      'The sale’s waiting room is open (or pre-queue, or paused), so the seat map cannot change now.',
    );
    expect(new Set((await seatsOf(eventId)).map((s) => s.price_cents))).to.deep.equal(new Set([7500]));
    await check(page, 'event-seats-room-open');

    // The same refusal in Korean.
    await page.locator('header select').selectOption('ko');
    await page.locator('input[name=zonePrice]').fill('80');
    await page.locator('button', { hasText: '가격 변경' }).click();
    await page.locator('[aria-live=polite] .refusal', { hasText: '판매 대기실이 열려 있어' }).waitFor();
    await page.locator('header select').selectOption('en');
    expect(problems).to.deep.equal([]);
    await page.context().close();
  });

  it('says a student’s outcome and notifications in Korean in the support lookup', async () => {
    problems = [];
    const page = await open('ko-KR');
    await signIn(page, staff, '/staff/lookup');
    await page.locator('input[name=q]').fill(studentNumber);
    await page.locator('input[name=q]').press('Enter');
    await page.locator('#story-heading').waitFor();
    const requestRows = await page.locator('table.requests tbody tr').allInnerTexts();
    expect(requestRows).to.have.length(1);
    expect(requestRows[0]).to.include('거절');
    expect(requestRows[0]).to.include('정원이 마감되었습니다.');
    const notices = await page.locator('.story ul li', { hasText: '읽음' }).allInnerTexts();
    expect(notices).to.have.length(2);
    expect(notices[0]).to.include('결제 전에 선점 시간이 끝나 좌석 반환.');
    expect(notices[1]).to.include('정원이 마감되었습니다.');
    const story = await page.locator('.story').innerText();
    for (const english of [
      serverMessage,
      notificationMessage,
      'SECTION_FULL',
      'RESERVATION_EXPIRED',
      'ran out',
    ])
      expect(story).to.not.include(english);
    await check(page, 'lookup-ko');
    expect(problems).to.deep.equal([]);
    await page.context().close();
  });
});

describe('the seat map editor’s arithmetic', () => {
  const seat = (label: string, over: Partial<StaffSeat> = {}): StaffSeat => ({
    id: label.charCodeAt(0) * 100 + Number(label.slice(1)),
    eventId: 1,
    label,
    zone: 'Floor',
    row: label[0] ?? null,
    x: Number(label.slice(1)) - 1,
    y: label.charCodeAt(0) - 65,
    priceCents: 5000,
    status: 'free',
    active: true,
    version: 1,
    ...over,
  });

  it('lays a row of N seats side by side, named by row and number', () => {
    const row = rowOfSeats({
      zone: 'VIP',
      row: 'C',
      count: 3,
      firstNumber: 7,
      y: 4,
      firstColumn: 2,
      priceCents: 9900,
    });
    expect(row.map((s) => [s.label, s.x, s.y, s.zone, s.priceCents, s.active])).to.deep.equal([
      ['C7', 2, 4, 'VIP', 9900, true],
      ['C8', 3, 4, 'VIP', 9900, true],
      ['C9', 4, 4, 'VIP', 9900, true],
    ]);
  });

  it('sums zones in the order they first appear, with their price range and seats taken', () => {
    const zones = zonesOf([
      seat('A1', { zone: 'VIP', priceCents: 9000 }),
      seat('B1', { status: 'held' }),
      seat('A2', { zone: 'VIP', priceCents: 8000, active: false }),
    ]);
    expect(zones).to.deep.equal([
      { zone: 'VIP', total: 2, onSale: 1, taken: 0, minPriceCents: 8000, maxPriceCents: 9000 },
      { zone: 'Floor', total: 1, onSale: 1, taken: 1, minPriceCents: 5000, maxPriceCents: 5000 },
    ]);
  });

  it('previews only the seats on sale with a place, and puts the next row under the last', () => {
    const seats = [seat('A1'), seat('A2', { active: false }), seat('B1', { x: null }), seat('C3')];
    expect(previewSeats(seats).map((s) => s.label)).to.deep.equal(['A1', 'C3']);
    expect(nextGridRow(seats)).to.equal(3);
    expect(nextGridRow([])).to.equal(0);
    expect(toCents(12.345)).to.equal(1235);
  });
});
