import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { tempDir } from '../support/temp-dir';

/**
 * What the functions evaluated in the page touch. This program is type-checked without the DOM
 * library (it is the server's), so the few page globals the tests read are declared here.
 */
export interface PageElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly outerHTML: string;
  readonly type?: string;
  readonly labels?: ArrayLike<PageElement> | null;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  getBoundingClientRect(): { readonly width: number; readonly height: number };
  querySelectorAll(selector: string): Iterable<PageElement>;
}
declare const document: { readonly activeElement: PageElement | null };

/**
 * The console's browser tests: Debian's Chromium (`apt-get install chromium`; .ci/run installs it),
 * driven by playwright-core, which downloads no browser. A fresh profile per run.
 */
export const CHROMIUM = '/usr/bin/chromium';
const REPO = join(__dirname, '../..');
export const CONSOLE_SOURCES = join(REPO, 'apps/ledger-console');
export const CONSOLE_BUILD = join(REPO, 'dist/console');

const newest = (path: string): number =>
  statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : statSync(path).mtimeMs;

/**
 * The built console, as `npm run build` leaves it: built again here when it is missing or older
 * than its sources (running this suite alone after an edit), so the tests never drive a stale page.
 */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_BUILD, 'index.html');
  const sources = Math.max(newest(join(CONSOLE_SOURCES, 'src')), newest(join(CONSOLE_SOURCES, 'index.html')), newest(join(CONSOLE_SOURCES, 'vite.config.mts')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(CONSOLE_SOURCES, 'vite.config.mts'), '--logLevel', 'warn'],
    {
      cwd: REPO,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: 'inherit',
      timeout: 180_000,
    },
  );
}

export interface Browser {
  readonly context: BrowserContext;
  /** A new tab (its own sessionStorage: its own signed-in key). */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  /** Every URL any tab requested. */
  readonly requestedUrls: string[];
  /** Console errors other than failed resource loads, and Content-Security-Policy violations. */
  readonly problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const profile = tempDir('ledger-console-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
    acceptDownloads: true,
  });
  const requestedUrls: string[] = [];
  const problems: string[] = [];
  context.on('request', (request) => requestedUrls.push(request.url()));
  const watch = (page: Page) => {
    page.on('console', (message) => {
      // The API's refusals (the role probes' 403s, a 422 the test provokes) log as failed loads: expected.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    requestedUrls,
    problems,
    async page(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      page.setDefaultTimeout(15_000);
      return page;
    },
    async close() {
      await context.close();
      profile.cleanup();
    },
  };
}

/** Signs in on the console's own page with an API key, and waits for the signed-in header. */
export async function signIn(page: Page, baseUrl: string, secret: string, path = '/console'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('API key').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Presses Tab until the focused element matches, as a keyboard user would; fails after `max` presses. */
export async function tabTo(
  page: Page,
  describe: string,
  matches: (el: { tag: string; name: string; text: string; label: string }) => boolean,
  max = 40,
): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    // Let the page's pending timers run, as they would between a person's key presses: Mantine's
    // focus trap checks where a Tab out of a date-time field landed in a timer, and a check run
    // late (once the test has typed on in the next field) sends the focus back.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el) return { tag: '', name: '', text: '', label: '' };
      return {
        tag: el.tagName.toLowerCase(),
        name: el.getAttribute('name') ?? '',
        text: (el.textContent ?? '').trim(),
        label: el.labels?.[0]?.textContent?.trim() ?? el.getAttribute('aria-label') ?? '',
      };
    });
    if (matches(focused)) return;
  }
  throw new Error(`Tab never reached ${describe}`);
}

/** Fields without a visible label (a <label> with text and a size): should be none. */
export async function unlabelledFields(scope: Page | Locator): Promise<string[]> {
  const page = 'page' in scope ? scope.page() : scope;
  const root = 'page' in scope ? scope : page.locator('body');
  return root.evaluate((element: PageElement) =>
    [...element.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden' && el.closest('[aria-hidden="true"]') === null)
      .filter((el) => {
        const label = el.labels?.[0];
        const box = label?.getBoundingClientRect();
        return !(label && box && box.width > 0 && box.height > 0 && (label.textContent ?? '').trim() !== '');
      })
      .map((el) => el.getAttribute('name') ?? el.outerHTML.slice(0, 120)),
  );
}

/**
 * Where screenshots go: docs/console when LEDGER_CONSOLE_SCREENSHOTS=docs (`npm run screenshots:console`,
 * to refresh the README's), otherwise a temporary folder, so an ordinary test run leaves the tree clean.
 */
export function screenshotDir(fallback: string): string {
  if (process.env['LEDGER_CONSOLE_SCREENSHOTS'] !== 'docs') return fallback;
  const dir = join(REPO, 'docs/console');
  mkdirSync(dir, { recursive: true });
  return dir;
}
