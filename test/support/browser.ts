import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { createDb } from '../../core/db.js';
import { testConfig } from './test-config.js';
import { startWebStack, type WebStack } from './web-stack.js';

/** Debian's Chromium: Playwright's own browser download needs internet access that CI machines lack. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where browser tests leave screenshots (git-ignored). */
export const TEST_RESULTS_DIR = path.resolve(import.meta.dirname, '..', '..', 'test-results');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts headless Chromium for a browser test. A missing browser fails the test (it is never skipped),
 * with a message that says how to get one.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: browser tests need Debian's chromium package ` +
        '(`apt-get install chromium`, or run `npm test`, which installs it via scripts/lib/ensure-chromium.sh)',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** The path for a screenshot named `name` (e.g. 'waiting-room-your-turn.png'), creating the folder. */
export async function screenshotPath(name: string): Promise<string> {
  await mkdir(TEST_RESULTS_DIR, { recursive: true });
  return path.join(TEST_RESULTS_DIR, name);
}

/**
 * Collects a page's uncaught errors and console errors into `problems`, which a test expects to stay empty.
 * Chrome also logs every 4xx/5xx answer as "Failed to load resource" (a wrong password, a declined card, an
 * aborted request): those are flows under test, not problems.
 */
export function collectProblems(page: Page, problems: string[]): void {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${msg.text()}`);
    }
  });
}

/** A page in a context of its own (its own session storage), its errors collected into `problems`. */
export async function openWatchedPage(
  browser: Browser,
  problems: string[],
  options: BrowserContextOptions,
): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  collectProblems(page, problems);
  return page;
}

/** Signs `user` in through the app's own sign-in page and waits to land on `next`. */
export async function signInThroughPage(
  page: Page,
  origin: string,
  user: { username: string; password: string },
  next: string,
): Promise<void> {
  await page.goto(`${origin}/login?next=${encodeURIComponent(next)}`);
  const username = page.locator('input[name=username]');
  const password = page.locator('input[name=password]');
  await username.fill(user.username);
  await password.fill(user.password);
  await password.press('Enter');
  try {
    await page.waitForURL(`**${next}`);
  } catch (err) {
    // Once on CI (2026-12-02) a student's sign-in never left the page, with nothing else to go on: say
    // where the page is, what it says and whether the form still holds what was typed.
    const shown = await page
      .evaluate(() => ({
        url: location.href,
        alert: document.querySelector('[role=alert]')?.textContent ?? null,
        username: document.querySelector<HTMLInputElement>('input[name=username]')?.value ?? null,
        passwordLength:
          document.querySelector<HTMLInputElement>('input[name=password]')?.value.length ?? null,
        busy: document.querySelector<HTMLButtonElement>('form button[type=submit]')?.disabled ?? null,
      }))
      .catch((e: unknown) => ({ unreadable: String(e) }));
    throw new Error(
      `signing ${user.username} in did not reach ${next}: the page shows ${JSON.stringify(shown)}`,
      {
        cause: err,
      },
    );
  }
}

/** A page of its own context and the problems collected from it. */
export interface WatchedTab {
  page: Page;
  problems: string[];
}

/** `openWatchedPage` with a list of problems of its own. */
export async function openTab(browser: Browser, options: BrowserContextOptions): Promise<WatchedTab> {
  const problems: string[] = [];
  return { page: await openWatchedPage(browser, problems, options), problems };
}

/** What a browser test runs against: the product behind the gateway, Chromium, and the run's database. */
export interface BrowserWorld {
  url: string;
  stack: WebStack;
  browser: Browser;
  db: Knex;
}

/**
 * The set-up every browser test shares: registers mocha hooks that start the whole product (`startWebStack`,
 * with `env` for its processes), Chromium and a database handle before the suite's own `before` hooks, and
 * stop them after. Call it at the top of a `describe`; the returned function gives the running world (and
 * says so if the set-up failed, instead of a TypeError on undefined).
 */
export function useBrowserWorld(env: Record<string, string> = {}): () => BrowserWorld {
  let stack: WebStack | undefined;
  let browser: Browser | undefined;
  let db: Knex | undefined;
  before(async () => {
    db = createDb(testConfig());
    browser = await launchBrowser();
    stack = await startWebStack(env);
  });
  after(async () => {
    await browser?.close(); // closes every context the test opened
    await stack?.stop();
    await db?.destroy();
  });
  return () => {
    if (!stack || !browser || !db) throw new Error('the browser test’s set-up did not finish');
    return { url: stack.url, stack, browser, db };
  };
}
