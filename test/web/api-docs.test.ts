import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { apiRouteDocs } from '../../api/src/openapi/api-route-docs.js';
import { apiInProcess, type ApiInProcess } from '../support/api-in-process.js';
import { seriousViolations } from '../support/axe.js';
import { launchBrowser, openWatchedPage, screenshotPath } from '../support/browser.js';
import { listenOnFreePort } from '../support/listen.js';

/**
 * The API reference page (/api/docs, Swagger UI from node_modules) in headless Chromium: it loads under
 * the api's own Content-Security-Policy with no error, lists every operation of the document, expands
 * one with its parameters, and axe finds nothing serious.
 */
describe('the API reference page in a real browser', function () {
  this.timeout(120_000);
  let api: ApiInProcess;
  let http: { server: Server; url: string };
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    api = await apiInProcess();
    http = await listenOnFreePort(api.app);
    browser = await launchBrowser();
    page = await openWatchedPage(browser, problems, { viewport: { width: 1280, height: 900 } });
    // Everything the page loads must come from the api itself: no CDN, nothing outside.
    page.on('request', (req) => {
      if (!req.url().startsWith(http.url) && !req.url().startsWith('data:'))
        problems.push(`outside: ${req.url()}`);
    });
  });
  after(async () => {
    await browser?.close();
    if (http) await new Promise((resolve) => http.server.close(resolve));
    await api?.close();
  });

  it('shows every operation of the document, with no error and nothing loaded from outside', async () => {
    const res = await page.goto(`${http.url}/api/docs`);
    expect(res?.status()).to.equal(200);
    expect(res?.headers()['content-security-policy']).to.match(/script-src 'self'/);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    const shown = await page.locator('.opblock-summary-path').allTextContents();
    const expected = apiRouteDocs.map((d) => d.path.replace(/:(\w+)/g, '{$1}'));
    // Swagger UI puts a zero-width space after each slash so long paths wrap.
    const clean = shown.map((s) => s.replace(/\u200b/g, '').trim());
    expect(clean.length).to.equal(expected.length);
    expect(new Set(clean)).to.deep.equal(new Set(expected));
    await page.screenshot({ path: await screenshotPath('api-docs.png'), fullPage: false });
    expect(problems).to.deep.equal([]);
  });

  it("expands an operation to show its parameters from the route's schema", async () => {
    const sections = page.locator('#operations-catalog-getApiTermsTermIdSections');
    await sections.locator('.opblock-summary').first().click();
    const names = await sections.locator('.parameters .parameter__name').allTextContents();
    const clean = names.map((n) => n.replace(/[\s*\u200b]/g, '').replace(/required$/, ''));
    expect(clean).to.include.members(['termId', 'q', 'majorId', 'day', 'cursor']);
    expect(problems).to.deep.equal([]);
  });

  it('has no serious accessibility violations', async () => {
    expect(await seriousViolations(page)).to.deep.equal([]);
  });
});
