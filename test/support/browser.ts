// A real headless browser for end-to-end tests: Debian's Chromium driven by playwright-core (no Playwright
// browser download; scripts/install-browser.sh installs Chromium). Every request that is not to loopback is
// aborted, so a page can never reach the network even if it tries (fonts, news feeds, telemetry).
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.join(__dirname, '..', '..', 'test-results');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM_PATH}: run scripts/install-browser.sh (or set CHROMIUM_PATH)`;
  }
}

/**
 * Skips the suite on a developer's machine without Chromium, but never in CI, where a skip would hide a missing
 * install step.
 */
export function browserSkipReason(): string | undefined {
  const missing = browserMissing();
  if (missing && process.env.CI) throw new Error(missing);
  return missing;
}

export interface Browser {
  page: Page;
  context: BrowserContext;
  /** Non-loopback URLs the page tried to load (all aborted). */
  blocked: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1400, height: 1300 }): Promise<Browser> {
  // A fresh profile per launch: no cookies, cache or local storage (the UI keeps settings there) from a past run.
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'aep-chromium-'));
  const context = await chromium
    .launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    })
    .catch((err: unknown) => {
      rmSync(userDataDir, { recursive: true, force: true });
      throw err;
    });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (LOOPBACK_HOSTS.has(url.hostname)) return route.continue();
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    context,
    blocked,
    async screenshot(name) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const file = path.join(RESULTS_DIR, name);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
