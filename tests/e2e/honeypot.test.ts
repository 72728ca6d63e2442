import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import { focused } from './support/keyboard.ts';
import { launchChromium, newVisitor, personAt, startSiteHub } from './support/site.ts';

// The honeypot on the forms anyone may send: people never meet it, a form that has it filled is
// dropped with the answer a sent form gets, and the same form without it goes through.

let hub: TestHub;
let browser: Browser;
let noor: Page;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startSiteHub(), launchChromium()]);
  noor = await personAt(browser, hub, '/nl/', 'Inloggen als Noor Bakker');
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const NEW = '/nl/initiatives/new';

async function fillRegistration(page: Page, name: string) {
  await page.goto(NEW);
  await page.locator('#f-name').fill(name);
  await page.locator('#f-summary').fill('Een boekenkast op de stoep: neem een boek mee, zet er een terug.');
  await page.locator('#f-place').selectOption('amsterdam/bos-en-lommer');
}

async function submit(page: Page) {
  await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'POST'),
    page.locator('.initiative-form button[type=submit]').click(),
  ]);
  await page.waitForLoadState('load');
}

const registered = async (name: string) =>
  (
    (await hub.api('GET', `/api/initiatives?${new URLSearchParams({ q: name, limit: '50' })}`)).body
      .items as {
      name: string;
    }[]
  ).filter((item) => item.name === name).length;

describe('the honeypot', () => {
  it('is hidden from people: off-screen, out of the tab order and the accessibility tree, labelled', async () => {
    await noor.goto(NEW);
    const field = noor.locator('#hp-initiative');
    expect(await field.getAttribute('name')).toBe('homepage');
    expect(await field.getAttribute('tabindex')).toBe('-1');
    expect(await field.getAttribute('autocomplete')).toBe('off');
    expect(await noor.locator('label[for=hp-initiative]').textContent()).toBe('Laat dit veld leeg');
    expect(await noor.locator('.hp:has(#hp-initiative)').getAttribute('aria-hidden')).toBe('true');
    const box = await field.boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThan(0);
    // Tab goes through every field and button of the page without ever reaching it
    const seen: string[] = [];
    for (let press = 0; press < 80; press++) {
      await noor.keyboard.press('Tab');
      seen.push((await focused(noor))?.id ?? '');
    }
    expect(seen).toContain('f-name');
    expect(seen).not.toContain('hp-initiative');
    const tree = await noor.locator('form.initiative-form').ariaSnapshot();
    expect(tree).not.toContain('Laat dit veld leeg');
  });

  it('drops a registration with the honeypot filled, and lets the same one through without it', async () => {
    // Act: a bot fills every field, the hidden one too
    await fillRegistration(noor, 'Boekenkast van de bot');
    await noor.locator('#hp-initiative').fill('https://spam.example', { force: true });
    await submit(noor);
    // Assess: back at the form as if sent, and nothing registered
    expect(new URL(noor.url()).pathname).toBe(NEW);
    await hub.settle();
    expect(await registered('Boekenkast van de bot')).toBe(0);

    // Act: a person sends the same form
    await fillRegistration(noor, 'Boekenkast van Noor');
    await submit(noor);
    // Assess: registered
    expect(new URL(noor.url()).pathname).toMatch(/^\/nl\/initiatives\/boekenkast-van-noor/);
    expect(await registered('Boekenkast van Noor')).toBe(1);
  });

  it('is on the help request and ballot forms too', async () => {
    await noor.goto('/nl/initiatives/straatdiners-bos-en-lommer');
    expect(await noor.locator('#hp-request').count()).toBe(1);
    const polls = (await hub.api('GET', '/api/polls?limit=100')).body.items as {
      id: string;
      question: string;
    }[];
    const plein = polls.find((poll) => poll.question.startsWith('Wat moet er komen op het lege plein'));
    const token = await hub.token('resident-honeypot', {
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
    });
    const context = await newVisitor(browser, hub);
    await context.addCookies([{ name: 'plein_session', value: token, url: hub.url }]);
    const resident = await context.newPage();
    await resident.goto(`/nl/polls/${plein?.id}`);
    expect(await resident.locator('.ballot #hp-ballot').count()).toBe(1);
  });
});
