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
let staff: BrowserContext;
let resident: BrowserContext;
const POLL = 'Wat moet er komen op het lege plein aan de Bos en Lommerweg?';
/** The demo polls' ids by question, and the street dinners' id. */
let polls: Record<string, string>;
let dinners: string;
// One tab per visitor, reused from page to page: opening tabs costs more than the checks.
const tabs = new Map<BrowserContext, Page>();

beforeAll(async () => {
  [hub, browser] = await Promise.all([startSiteHub(), launchChromium()]);
  // The site's CSP rightly refuses injected scripts; axe is let in by the browser, not the site.
  // axe is loaded into every page of these visitors once, instead of sent over with every check.
  const context = async () => {
    const created = await newVisitor(browser, hub, { bypassCSP: true });
    await created.addInitScript({ path: axePath });
    return created;
  };
  [visitor, owner, staff, resident] = await Promise.all([context(), context(), context(), context()]);
  for (const context of [visitor, owner, staff, resident]) tabs.set(context, await context.newPage());
  await Promise.all([signIn(owner, 'organiser-noor'), signIn(staff, 'staff-amsterdam'), seedFacilitation()]);
  const listed = (await hub.api('GET', '/api/polls?limit=100')).body.items as {
    id: string;
    question: string;
  }[];
  polls = Object.fromEntries(listed.map((poll) => [poll.question, poll.id]));
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

/** Signs in through the sign-in page (the keyboard journeys are the other tests' business). */
async function signIn(context: BrowserContext, user: string) {
  const page = tabs.get(context) as Page;
  await page.goto('/nl/sign-in');
  await Promise.all([page.waitForURL('**/nl/'), page.locator(`button[value="${user}"]`).click()]);
}

/**
 * Something on every side of facilitation for the street dinners: a request answered with an
 * accepted offer (public), an open request (the inbox) and a pending offer (the owner's buttons).
 */
async function seedFacilitation() {
  const [noor, sanne] = await Promise.all([hub.token('organiser-noor'), hub.token('staff-amsterdam')]);
  const post = async (path: string, token: string, body?: unknown) => {
    const response = await hub.api('POST', path, { token, ...(body ? { body } : {}) });
    expect(response.status, path).toBeLessThan(300);
    return response.body as { id: string };
  };
  dinners = (await hub.api('GET', '/api/initiatives/straatdiners-bos-en-lommer')).body.id;
  // A webhook nobody answers (the discard port), so that the deliveries page has failures to replay.
  await post('/api/municipalities/amsterdam/subscriptions', sanne, {
    kind: 'webhook',
    url: 'http://127.0.0.1:9/hook',
    description: 'Wijkteam',
  });
  const space = await post(`/api/initiatives/${dinners}/requests`, noor, {
    kind: 'space',
    text: 'Een overdekte plek voor 120 mensen, voor als het regent.',
    wantedBy: '2027-05-01',
  });
  const offer = await post(`/api/initiatives/${dinners}/offers`, sanne, {
    kind: 'space',
    text: 'De sporthal aan de Erasmusgracht is op zaterdagen vrij.',
    conditions: 'Bezemschoon achterlaten.',
    amountEuros: 750,
    requestId: space.id,
  });
  await post(`/api/offers/${offer.id}/accept`, noor);
  await post(`/api/initiatives/${dinners}/requests`, noor, { kind: 'materials', text: 'Twintig statafels.' });
  await post(`/api/initiatives/${dinners}/offers`, sanne, {
    kind: 'promotion',
    text: 'Een plek in de nieuwsbrief.',
  });
  await hub.settle();
}

/** Posts the form around `button` and waits for the page it answers with (an error, so no redirect). */
async function submitWithErrors(page: Page, button: string) {
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.request().method() === 'POST'),
    page.locator(button).click(),
  ]);
  expect(response.status(), page.url()).toBe(400);
  await page.waitForLoadState('load');
  expect(await page.locator('.error-summary').count()).toBe(1);
  await expectNoViolations(page);
}

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
    await check(visitor, `/${locale}/?municipality=amsterdam`);
    await check(visitor, `/${locale}/initiatives`);
    await check(
      visitor,
      `/${locale}/initiatives?municipality=amsterdam&neighbourhood=bos-en-lommer&theme=food&q=tafel`,
    );
  });

  it('the pages for an unknown address and for an expired form', async () => {
    await check(visitor, `/${locale}/no-such-page`, 404);
    await check(visitor, `/${locale}/form-expired`, 403);
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

describe.each(locales)('facilitation and polls in %s', (locale) => {
  it("an initiative's facilitation for a visitor, its owner (with an error) and its municipality's staff", async () => {
    const path = `/${locale}/initiatives/straatdiners-bos-en-lommer`;
    await check(visitor, path);
    await check(owner, path);
    await check(staff, path);
    // The owner's request, sent empty
    const page = tabs.get(owner) as Page;
    await submitWithErrors(page, '#ask-help ~ form button[type=submit]');
    expect(await page.locator('#f-requestText').getAttribute('aria-invalid')).toBe('true');
  });

  it("the inbox and the municipality's page with its charts", async () => {
    await check(staff, `/${locale}/municipalities/amsterdam/inbox`);
    await check(visitor, `/${locale}/municipalities/amsterdam`);
    await check(staff, `/${locale}/municipalities/amsterdam`);
    if (locale === 'nl') await check(owner, `/${locale}/municipalities/amsterdam/inbox`, 403);
  });

  it('subscriptions (with a new secret, and with errors) and deliveries, for staff only', async () => {
    const path = `/${locale}/municipalities/amsterdam/subscriptions`;
    await check(staff, path);
    await check(staff, `/${locale}/municipalities/amsterdam/deliveries`);
    await check(staff, `/${locale}/municipalities/amsterdam/deliveries?status=failed`);
    expect(await (tabs.get(staff) as Page).locator('table.deliveries tbody tr').count()).toBeGreaterThan(0);
    if (locale === 'nl') {
      await check(owner, path, 403);
      await check(visitor, `/${locale}/municipalities/amsterdam/deliveries`, 401);
    }
    const page = tabs.get(staff) as Page;
    await page.goto(path);
    await page.locator('#f-url').fill('not an address');
    await submitWithErrors(page, '.subscription-form button[type=submit]');
    await page.locator('#f-url').fill(`http://127.0.0.1:9/${locale}`);
    await page.locator('#f-eventTypes-PollOpened').check();
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.request().method() === 'POST'),
      page.locator('.subscription-form button[type=submit]').click(),
    ]);
    expect(response.status()).toBe(201);
    await page.waitForLoadState('load');
    expect(await page.locator('#f-secret').inputValue()).toMatch(/^whsec_/);
    await expectNoViolations(page);
  });

  it('the poll list, and polls that are open, hidden until closing, and closed', async () => {
    await check(visitor, `/${locale}/polls${locale === 'nl' ? '?municipality=amsterdam&status=open' : ''}`);
    await check(visitor, `/${locale}/polls/${polls[POLL]}`);
    await check(visitor, `/${locale}/polls/${polls['Bahar şenliğinde hangi yemekleri birlikte pişirelim?']}`);
    await check(visitor, `/${locale}/polls/${polls['Welke naam krijgt het nieuwe buurthuis in Zillebeke?']}`);
  });

  it('a poll before and after voting, for a resident of its audience', async () => {
    // A new resident of Bos en Lommer for each language, so that each sees the ballot before voting.
    const token = await hub.token(`resident-a11y-${locale}`, {
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
    });
    await resident.clearCookies();
    await resident.addCookies([{ name: 'plein_session', value: token, url: hub.url }]);
    const page = tabs.get(resident) as Page;
    // Home shows the polls near where they live
    await check(resident, `/${locale}/`);
    expect(await page.locator('#open-polls ~ .card-list, #open-polls + p + form + .card-list').count()).toBe(
      1,
    );
    await check(resident, `/${locale}/polls/${polls[POLL]}`);
    // Sent without a choice: the error at the top and at the options
    await submitWithErrors(page, '.ballot button[type=submit]');
    await page.locator('#f-choices-o2').check();
    await Promise.all([page.waitForURL(/done=voted/), page.locator('.ballot button[type=submit]').click()]);
    await expectNoViolations(page);
    expect(await page.locator('.current-choice').count()).toBe(1);
  });

  it("the poll form, empty and with errors, for staff and for an initiative's owner", async () => {
    if (locale === 'nl') await check(owner, `/${locale}/polls/new?initiative=${dinners}`);
    await check(staff, `/${locale}/polls/new`);
    const page = tabs.get(staff) as Page;
    await page.locator('#f-options').fill('Alleen dit antwoord');
    await page.locator('#f-audience-neighbourhoods').check();
    await submitWithErrors(page, '.initiative-form button[type=submit]');
    expect(await page.locator('.error-summary a').count()).toBeGreaterThanOrEqual(3);
  });
});

/** An initiative of Noor's that Amsterdam's staff have hidden, made once for every language's check. */
let hiddenInitiative: Promise<string> | undefined;
async function seedHiddenInitiative(): Promise<string> {
  const created = await hub.api('POST', '/api/initiatives', {
    token: await hub.token('organiser-noor'),
    body: {
      name: 'Ruilkast Erasmuspark',
      summary: 'Een kast in het park waar buren boeken en spullen ruilen.',
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
      language: 'nl',
    },
  });
  expect(created.status).toBe(201);
  const hidden = await hub.api('POST', `/api/moderation/initiative/${created.body.id}/hide`, {
    token: await hub.token('staff-amsterdam'),
    body: { reason: 'Er staat een privé-adres op deze pagina.' },
  });
  expect(hidden.status).toBe(200);
  return created.body.slug as string;
}

describe.each(locales)('moderation in %s', (locale) => {
  it('the report page, empty and with errors, for a signed-in resident', async () => {
    await resident.clearCookies();
    await resident.addCookies([
      { name: 'plein_session', value: await hub.token('resident-amsterdam'), url: hub.url },
    ]);
    await check(resident, `/${locale}/report?kind=initiative&id=${dinners}`);
    if (locale === 'nl') {
      await check(resident, `/${locale}/report?kind=poll&id=${polls[POLL]}`);
      await check(resident, `/${locale}/report?kind=initiative&id=01ARZ3NDEKTSV4RRFFQ69G5FAV`, 404);
    }
    const page = tabs.get(resident) as Page;
    await page.goto(`/${locale}/report?kind=initiative&id=${dinners}`);
    await submitWithErrors(page, '.report-form button[type=submit]');
    expect(await page.locator('.error-summary a').getAttribute('href')).toBe('#f-category-spam');
  });

  it('a hidden initiative as its owner sees it: the notice, the reason and the appeal (with an error)', async () => {
    hiddenInitiative ??= seedHiddenInitiative();
    const path = `/${locale}/initiatives/${await hiddenInitiative}`;
    await check(owner, path);
    const page = tabs.get(owner) as Page;
    expect(await page.locator('#moderation .notice--warning').count()).toBe(1);
    await submitWithErrors(page, '.appeal-form button[type=submit]');
    expect(await page.locator('#f-appealText').getAttribute('aria-invalid')).toBe('true');
    if (locale === 'nl') await check(visitor, path, 404);
  });
});
