import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import { signAdminSessionToken } from '../../api/src/admin/admin-session-token.js';
import { ADMIN_COOKIE } from '../../api/src/admin/admin-session.js';
import { seriousViolations } from '../support/axe.js';
import {
  collectProblems,
  openWatchedPage,
  screenshotPath,
  signInThroughPage,
  useBrowserWorld,
} from '../support/browser.js';
import { testConfig } from '../support/test-config.js';
import { createTestUser, type TestUser } from '../support/users.js';
import { createTestRoom } from '../support/waiting-room-harness.js';

interface Answer {
  status: number;
  body: unknown;
}

/** What the staff console does before opening an admin page: trade the tab's bearer token for the cookie. */
const openAdminSession = (page: Page): Promise<Answer> =>
  page.evaluate(async () => {
    const session = JSON.parse(sessionStorage.getItem('rushline.auth') ?? 'null') as { accessToken: string };
    const res = await fetch('/admin/session', {
      method: 'POST',
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as unknown) };
  });

/** The JSON a browser navigation to `path` gets. */
async function navigateForJson(page: Page, url: string): Promise<Answer> {
  const res = await page.goto(url);
  if (!res) throw new Error(`no response for ${url}`);
  return { status: res.status(), body: (await res.json()) as unknown };
}

/**
 * bull-board at /admin/queues through the real gateway and processes, in Chromium: staff open it from the
 * staff console's button (a new tab) and see the reservation queues and every room's commit queue (a room
 * created after the page was first opened included); students and anonymous visitors get JSON refusals,
 * never the board.
 */
describe('the queue board (bull-board) in a real browser', function () {
  this.timeout(180_000);
  const cfg = testConfig();
  const running = useBrowserWorld();
  let url: string;
  let db: Knex;
  let staff: TestUser;
  let student: TestUser;
  let problems: string[] = [];

  before(async () => {
    ({ url, db } = running());
    staff = await createTestUser(db, 'staff');
    student = await createTestUser(db, 'student');
  });

  const open = () => openWatchedPage(running().browser, problems, { viewport: { width: 1280, height: 800 } });

  it('shows staff the reservation queues and each room’s commit queue, rooms created later included', async () => {
    problems = [];
    const earlierRoom = await createTestRoom(db);
    const consolePage = await open();
    await signInThroughPage(consolePage, url, staff, '/staff');
    expect(await seriousViolations(consolePage), 'axe on the staff console').to.deep.equal([]);
    // The console's button opens the admin session, then the board in a new tab.
    const [page] = await Promise.all([
      consolePage.context().waitForEvent('page'),
      consolePage.getByRole('button', { name: 'Open the queue board (new tab)' }).click(),
    ]);
    collectProblems(page, problems);
    await page.waitForURL(/\/admin\/queues\/?$/);
    expect(await consolePage.locator('[role=alert]').count(), 'an error on the console').to.equal(0);
    const cookies = await page.context().cookies(`${url}/admin/queues`);
    const cookie = cookies.find((c) => c.name === ADMIN_COOKIE);
    expect(cookie, 'admin session cookie').to.include({ path: '/admin', httpOnly: true, sameSite: 'Strict' });
    // Scoped to /admin: the api's own paths never receive it.
    expect((await page.context().cookies(`${url}/api/me`)).map((c) => c.name)).to.not.include(ADMIN_COOKIE);

    for (const name of ['reservation-holds', 'after-payment', `commit-room-${earlierRoom}`]) {
      await page.getByText(name, { exact: true }).first().waitFor();
    }
    const laterRoom = await createTestRoom(db);
    await page.reload();
    await page.getByText(`commit-room-${laterRoom}`, { exact: true }).first().waitFor();
    await page.getByText('Loading...').waitFor({ state: 'detached' });
    await page.screenshot({ path: await screenshotPath('admin-queues-staff.png'), fullPage: true });

    // A room's queue opens on its own page (the board's links stay under /admin/queues).
    await page.getByText(`commit-room-${earlierRoom}`, { exact: true }).first().click();
    await page.waitForURL(`**/admin/queues/queue/commit-room-${earlierRoom}**`);
    await page.getByText('Loading...').waitFor({ state: 'detached' });
    await page.screenshot({ path: await screenshotPath('admin-queues-room.png'), fullPage: true });

    // The board's own API answers behind the same cookie.
    const api = await page.evaluate(async () => {
      const r = await fetch('/admin/queues/api/queues');
      return {
        status: r.status,
        names: ((await r.json()) as { queues: { name: string }[] }).queues.map((q) => q.name),
      };
    });
    expect(api.status).to.equal(200);
    expect(api.names).to.include.members([
      'reservation-holds',
      'after-payment',
      `commit-room-${earlierRoom}`,
      `commit-room-${laterRoom}`,
    ]);
    expect(problems).to.deep.equal([]);

    // Signing out of the admin pages ends the session there.
    expect(
      await page.evaluate(async () => (await fetch('/admin/session', { method: 'DELETE' })).status),
    ).to.equal(204);
    expect(await navigateForJson(page, `${url}/admin/queues`)).to.deep.include({ status: 401 });
  });

  it('refuses students and anonymous visitors with JSON', async () => {
    problems = [];
    const page = await open();
    expect(await navigateForJson(page, `${url}/admin/queues`)).to.deep.include({ status: 401 });

    await signInThroughPage(page, url, student, '/');
    const refused = await openAdminSession(page);
    expect(refused.status).to.equal(403);
    expect(refused.body).to.have.nested.property('error.code', 'FORBIDDEN');
    expect(await page.context().cookies(`${url}/admin/queues`)).to.have.length(0);
    const anonymous = await navigateForJson(page, `${url}/admin/queues`);
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body).to.have.nested.property('error.code', 'ADMIN_SESSION_REQUIRED');

    // Even a genuine admin session cookie of a student's (the role rides in the token) opens nothing.
    const forged = signAdminSessionToken(cfg.auth, student, 600);
    await page.context().addCookies([{ name: ADMIN_COOKIE, value: forged, url: `${url}/admin/` }]);
    const asStudent = await navigateForJson(page, `${url}/admin/queues`);
    expect(asStudent.status).to.equal(403);
    expect(asStudent.body).to.have.nested.property('error.code', 'FORBIDDEN');
    const boardApi = await navigateForJson(page, `${url}/admin/queues/api/queues`);
    expect(boardApi.status).to.equal(403);

    // A cookie that is not ours is refused, not trusted.
    await page.context().addCookies([{ name: ADMIN_COOKIE, value: 'x.y.z', url: `${url}/admin/` }]);
    const garbage = await navigateForJson(page, `${url}/admin/queues`);
    expect(garbage.status).to.equal(401);
    expect(garbage.body).to.have.nested.property('error.code', 'ADMIN_SESSION_INVALID');
  });
});
