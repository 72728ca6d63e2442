import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import { launchChromium, newVisitor, startSiteHub } from './support/site.ts';

// axe-core on every page template, in every language: WCAG 2.0, 2.1 and 2.2, levels A and AA.

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const locales = ['nl', 'en', 'tr'] as const;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let hub: TestHub;
let browser: Browser;
let visitor: BrowserContext;
let owner: BrowserContext;
// One tab per visitor, reused from page to page: opening tabs costs more than the checks.
const tabs = new Map<BrowserContext, Page>();

beforeAll(async () => {
  [hub, browser] = await Promise.all([startSiteHub(), launchChromium()]);
  // The site's CSP rightly refuses injected scripts; axe is let in by the browser, not the site.
  visitor = await newVisitor(browser, hub, { bypassCSP: true });
  owner = await newVisitor(browser, hub, { bypassCSP: true });
  tabs.set(visitor, await visitor.newPage());
  tabs.set(owner, await owner.newPage());
  const page = tabs.get(owner) as Page;
  await page.goto('/nl/sign-in');
  await Promise.all([page.waitForURL('**/nl/'), page.locator('button[value="organiser-noor"]').click()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

function report(violations: Violation[]): string {
  return violations
    .map((violation) =>
      [
        `${violation.id} (${violation.impact}): ${violation.help}\n  ${violation.helpUrl}`,
        ...violation.nodes.map(
          (node) => `  - ${node.target.join(' ')}\n    ${node.failureSummary?.replace(/\n/g, '\n    ')}`,
        ),
      ].join('\n'),
    )
    .join('\n\n');
}

async function violationsOf(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: axePath });
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(tags)} }, resultTypes: ['violations'], iframes: false })`,
  )) as { violations: Violation[] };
  return result.violations;
}

async function expectNoViolations(page: Page) {
  const violations = await violationsOf(page);
  expect(violations.length, `${page.url()}\n${report(violations)}`).toBe(0);
  // The page really is the template meant, in its language: a failed render has little to violate.
  expect(await page.locator('h1').count(), page.url()).toBe(1);
  expect(await page.locator('html').getAttribute('lang'), page.url()).toBe(
    new URL(page.url()).pathname.split('/')[1],
  );
}

async function check(context: BrowserContext, path: string, status = 200) {
  const page = tabs.get(context) as Page;
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(status);
  await expectNoViolations(page);
}

describe.each(locales)('every page template in %s', (locale) => {
  it('home, list and list with filters', async () => {
    await check(visitor, `/${locale}/`);
    await check(visitor, `/${locale}/initiatives`);
    await check(
      visitor,
      `/${locale}/initiatives?municipality=amsterdam&neighbourhood=bos-en-lommer&theme=food&q=tafel`,
    );
  });

  it("an initiative's page, for a visitor and for its owner", async () => {
    await check(visitor, `/${locale}/initiatives/straatdiners-bos-en-lommer`);
    await check(owner, `/${locale}/initiatives/straatdiners-bos-en-lommer`);
  });

  it('sign-in, register (signed out, empty, with errors), edit and archive', async () => {
    await check(visitor, `/${locale}/sign-in`);
    await check(owner, `/${locale}/initiatives/new`);
    await check(owner, `/${locale}/initiatives/repair-cafe-oud-west/edit`);
    await check(owner, `/${locale}/initiatives/repair-cafe-oud-west/archive`);
    if (locale === 'nl') {
      // Pages whose layout does not change with the language: once is enough.
      await check(visitor, `/${locale}/initiatives/new`);
      await check(visitor, `/${locale}/initiatives/does-not-exist`, 404);
    }

    // The register form again, sent with mistakes
    const page = tabs.get(owner) as Page;
    await page.goto(`/${locale}/initiatives/new`);
    await page.locator('#f-name').fill('X');
    await page.locator('#f-website').fill('not a web address');
    await page.locator('#f-activityTitle').fill('Buurtborrel');
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.request().method() === 'POST'),
      page.locator('.initiative-form button[type=submit]').click(),
    ]);
    expect(response.status()).toBe(400);
    await page.waitForLoadState('load');
    expect(await page.locator('.error-summary').count()).toBe(1);
    await expectNoViolations(page);
  });
});
