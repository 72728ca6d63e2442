import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import { pressAndLoad, tabTo, typeInto } from './support/keyboard.ts';
import { launchChromium, personAt, startSiteHub, visibleText } from './support/site.ts';

// Polls as residents and staff use them, by keyboard only: find a poll, vote, change the vote,
// watch the results; be told when one cannot vote; create a poll and close it.

const QUESTION = 'Wat moet er komen op het lege plein aan de Bos en Lommerweg?';

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startSiteHub(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const person = (path: string, button?: string) => personAt(browser, hub, path, button);

const text = visibleText;
const count = async (page: Page, option: string) => (await text(page, `[data-count="${option}"]`)).trim();

async function pollId(question: string): Promise<string> {
  const { items } = (await hub.api('GET', '/api/polls?limit=100')).body as {
    items: { id: string; question: string }[];
  };
  const found = items.find((poll) => poll.question === question);
  if (!found) throw new Error(`no poll "${question}"`);
  return found.id;
}

describe('voting in a poll', () => {
  let resident: Page;

  it('lets a resident vote, shows their choice, lets them change it, and counts them once', async () => {
    // Prepare: Youssef lives in Bos en Lommer
    resident = await person('/nl/', 'Inloggen als Youssef El Amrani');
    await tabTo(resident, { text: 'Peilingen', tag: 'a' });
    await pressAndLoad(resident);
    await tabTo(resident, { text: QUESTION, tag: 'a' });
    await pressAndLoad(resident);
    expect(await text(resident, 'h1')).toBe(QUESTION);
    expect(await text(resident, '[data-ballots]')).toBe('3 stemmen uitgebracht.');
    expect(await text(resident, '.ballot')).toContain('Je kunt je stem wijzigen tot');

    // Act: vote for the playground
    await tabTo(resident, { id: 'f-choices-o1' });
    await resident.keyboard.press('Space');
    await tabTo(resident, { text: 'Stemmen', tag: 'button' });
    await pressAndLoad(resident);

    // Assess
    expect(await text(resident, '[role=status]')).toBe('Je stem is geteld.');
    expect(await text(resident, '.current-choice')).toBe('Je huidige keuze: Een speeltuin');
    expect(await resident.locator('#f-choices-o1').isChecked()).toBe(true);
    expect(await text(resident, '[data-ballots]')).toBe('4 stemmen uitgebracht.');
    expect(await count(resident, 'o1')).toBe('1');

    // Act: change to the market, two options further
    await tabTo(resident, { id: 'f-choices-o1' });
    await resident.keyboard.press('ArrowDown');
    await resident.keyboard.press('ArrowDown');
    await tabTo(resident, { text: 'Stem wijzigen', tag: 'button' });
    await pressAndLoad(resident);

    // Assess: one ballot, now for the market
    expect(await text(resident, '[role=status]')).toBe('Je stem is gewijzigd. Hij telt nog steeds één keer.');
    expect(await text(resident, '.current-choice')).toBe('Je huidige keuze: Een wekelijkse markt');
    expect(await resident.locator('#f-choices-o3').isChecked()).toBe(true);
    expect(await text(resident, '[data-ballots]')).toBe('4 stemmen uitgebracht.');
    expect(await count(resident, 'o1')).toBe('0');
    expect(await count(resident, 'o3')).toBe('1');
    const results = await hub.api('GET', `/api/polls/${await pollId(QUESTION)}/results`);
    expect(results.body).toMatchObject({ ballots: 4, tally: { o1: 0, o2: 2, o3: 1, o4: 1 } });
  });

  it('updates the results on the open page while others vote', async () => {
    // Act: a neighbour votes elsewhere
    const token = await hub.token('resident-e2e-neighbour', {
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
    });
    const cast = await hub.api('PUT', `/api/polls/${await pollId(QUESTION)}/ballot`, {
      token,
      body: { choices: ['o4'] },
    });
    expect(cast.status).toBe(200);

    // Assess: within a few seconds, without reloading
    const deadline = Date.now() + 8000;
    while ((await count(resident, 'o4')) !== '2' && Date.now() < deadline) await resident.waitForTimeout(250);
    expect(await count(resident, 'o4')).toBe('2');
    expect(await text(resident, '[data-ballots]')).toBe('5 stemmen uitgebracht.');
    expect(await resident.locator('[data-bar="o4"]').getAttribute('width')).toBe('40%');
    expect(await resident.getByRole('button', { name: 'Bijwerken pauzeren' }).count()).toBe(1);
  });

  it('tells a resident of elsewhere that they cannot vote, and keeps hidden results hidden', async () => {
    const marie = await person('/nl/', 'Inloggen als Marie Lambrecht');

    await marie.goto(`/nl/polls/${await pollId(QUESTION)}`);
    expect(await text(marie, '#vote ~ p')).toBe(
      'Je kunt in deze peiling niet stemmen. Ze is voor: Bewoners van Bos en Lommer (Amsterdam), en volgens je profiel woon je daar niet.',
    );
    expect(await marie.locator('.ballot').count()).toBe(0);

    // A poll that shows its results after closing: only the number of ballots
    await marie.goto(`/nl/polls/${await pollId('Bahar şenliğinde hangi yemekleri birlikte pişirelim?')}`);
    expect(await text(marie, '.poll-results')).toContain('2 stemmen uitgebracht.');
    expect(await text(marie, '.poll-results')).toContain('De uitslag wordt getoond als de peiling sluit');
    expect(await marie.locator('.poll-results svg').count()).toBe(0);

    // A closed poll she voted in: her choice, the final results, no form
    await marie.goto(`/nl/polls/${await pollId('Welke naam krijgt het nieuwe buurthuis in Zillebeke?')}`);
    expect(await text(marie, '.current-choice')).toBe('Je huidige keuze: De Vijver');
    expect(await text(marie, '#results')).toBe('Einduitslag');
    expect(await count(marie, 'o1')).toBe('3');
    expect(await marie.locator('.ballot').count()).toBe(0);
  });
});

describe('running a poll', () => {
  it('lets staff create a poll, correcting a mistake, then close it early', async () => {
    // Prepare
    const staff = await person('/nl/polls', 'Inloggen als Sanne de Vries (Gemeente Amsterdam)');
    await tabTo(staff, { text: 'Een peiling maken', tag: 'a' });
    await pressAndLoad(staff);
    expect(await text(staff, 'h1')).toBe('Een peiling van Amsterdam');

    // Act: a question with one answer only
    await typeInto(staff, 'f-question', 'Welke boom planten we in de Kolenkitbuurt?');
    await typeInto(staff, 'f-options', 'Een linde');
    await tabTo(staff, { id: 'f-audience-municipality' });
    await staff.keyboard.press('ArrowDown'); // only the neighbourhoods ticked below
    await tabTo(staff, { id: 'f-neighbourhoods-bos-en-lommer' });
    await staff.keyboard.press('Space');
    await tabTo(staff, { text: 'Peiling maken', tag: 'button' });
    await pressAndLoad(staff);

    // Assess: refused, with the reason at the top and at the field, the rest kept
    expect(await text(staff, '.error-summary')).toContain('Geef 2 tot 20 verschillende antwoorden');
    expect(await staff.locator('#f-options').getAttribute('aria-invalid')).toBe('true');
    expect(await staff.locator('#f-question').inputValue()).toBe(
      'Welke boom planten we in de Kolenkitbuurt?',
    );
    expect(await staff.locator('#f-neighbourhoods-bos-en-lommer').isChecked()).toBe(true);

    // Act: add answers and send again
    await tabTo(staff, { id: 'f-options' });
    await staff.keyboard.press('Control+End');
    await staff.keyboard.type('\nEen plataan\nEen esdoorn');
    await tabTo(staff, { text: 'Peiling maken', tag: 'button' });
    await pressAndLoad(staff);

    // Assess: open at once, for Bos en Lommer
    expect(await text(staff, '[role=status]')).toBe('De peiling is gemaakt.');
    expect(await text(staff, 'h1')).toBe('Welke boom planten we in de Kolenkitbuurt?');
    expect(await text(staff, '.facts')).toContain('Bewoners van Bos en Lommer (Amsterdam)');
    expect(await text(staff, '.facts')).toContain('Open');

    // Act: close it now
    await tabTo(staff, { text: 'Nu sluiten', tag: 'button' });
    await pressAndLoad(staff);

    // Assess
    expect(await text(staff, '[role=status]')).toBe('De peiling is gesloten. Dit is de einduitslag.');
    expect(await text(staff, '#results')).toBe('Einduitslag');
    expect(await text(staff, '.facts')).toContain('Gesloten');
    expect(await staff.getByRole('button', { name: 'Nu sluiten' }).count()).toBe(0);
  });
});
