import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { SiteHandler } from '../../../infra/local/http-server.ts';
import { withStaticAssets } from '../../../site/serve-static.ts';
import { startTestHub, type TestHub } from '../../support/hub.ts';
import { signInByKeyboard } from './keyboard.ts';

export { launchChromium } from './chromium.ts';

const root = resolve(import.meta.dirname, '../../..');
const siteDist = join(root, 'site/dist');

/**
 * The whole hub with the built site (`npm run build:site` first), its static files served the way
 * the local server has to, since the Node adapter's middleware mode serves pages only.
 */
export async function startSiteHub(): Promise<TestHub> {
  const entry = join(siteDist, 'server/entry.mjs');
  if (!existsSync(entry)) throw new Error('The site is not built: run `npm run build:site` first.');
  const { handler } = (await import(pathToFileURL(entry).href)) as { handler: SiteHandler };
  return startTestHub({ site: withStaticAssets(handler, join(siteDist, 'client')) });
}

/** A fresh visitor: no cookies, a Dutch browser, a phone-to-laptop sized window. */
export function newVisitor(
  browser: Browser,
  hub: TestHub,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: hub.url,
    locale: 'nl-NL',
    viewport: { width: 1024, height: 800 },
    ...options,
  });
}

/** A person in a browser of their own at `path`, signed in by keyboard there when `button` names a demo user. */
export async function personAt(browser: Browser, hub: TestHub, path: string, button?: string): Promise<Page> {
  const context = await newVisitor(browser, hub);
  const page = await context.newPage();
  await page.goto(path);
  if (button) await signInByKeyboard(page, 'Inloggen', button);
  return page;
}

/** The text a sighted user sees (Playwright's innerText, not the DOM's). */
export const visibleText = (page: Page, selector: string) => page.locator(selector).innerText();
