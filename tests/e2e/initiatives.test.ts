import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import {
  focused,
  pressAndLoad,
  signInByKeyboard,
  tabTo,
  typeDateTime,
  typeInto,
} from './support/keyboard.ts';
import { launchChromium, newVisitor, startSiteHub } from './support/site.ts';

// The initiatives capability as people use it, by keyboard only: Tab, Enter, Space, arrows, typing.

let hub: TestHub;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startSiteHub(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});
beforeEach(async () => {
  context = await newVisitor(browser, hub);
  page = await context.newPage();
});
afterEach(() => context.close());

/** The text a sighted user sees (Playwright's innerText, not the DOM's). */
const text = (selector: string) => page.locator(selector).innerText();
const texts = (selector: string) => page.locator(selector).allInnerTexts();
/** The words a screen reader reads, visually hidden ones included. */
const spoken = async (selector: string) =>
  (await page.locator(selector).textContent())?.replace(/\s+/g, ' ').trim();

describe('registering an initiative', () => {
  it('signs in, registers, shows the initiative on its page and in the filtered list', async () => {
    // Prepare: sign in as Noor from the home page
    await page.goto('/nl/');
    await signInByKeyboard(page, 'Inloggen', 'Inloggen als Noor Bakker');
    expect(await text('.site-header')).toContain('Ingelogd als Noor Bakker');

    // Act: the register form, filled in by keyboard
    await tabTo(page, { text: 'Initiatief aanmelden', tag: 'a' });
    await pressAndLoad(page);
    expect(await text('h1')).toBe('Initiatief aanmelden');
    await typeInto(page, 'f-name', 'Buurtbibliotheek Van Limburg Stirum');
    await typeInto(page, 'f-summary', 'Een boekenkast op de stoep: neem een boek mee, zet er een terug.');
    await typeInto(page, 'f-description', 'We beginnen met twee kasten.\n\nLater komt er een leesbank bij.');
    await typeInto(page, 'f-place', 'Bos');
    await typeInto(page, 'f-themes', 'Boeken, samen lezen');
    await typeInto(page, 'f-website', 'https://boekenkast.example.org');
    await tabTo(page, { id: 'f-helpWanted-space' });
    await page.keyboard.press('Space');
    await tabTo(page, { id: 'f-helpWanted-materials' });
    await page.keyboard.press('Space');
    await tabTo(page, { id: 'f-stance-open' });
    await page.keyboard.press('ArrowDown'); // "Overleg eerst met ons"
    await typeInto(page, 'f-contactEmail', 'noor@example.org');
    await typeInto(page, 'f-activityTitle', 'Opening van de kast');
    await typeDateTime(page, 'f-activityStartsAt', '2027-06-12T16:00');
    await typeInto(page, 'f-activityPlace', 'Hoek Van Limburg Stirumstraat');
    await tabTo(page, { text: 'Initiatief aanmelden', tag: 'button' });
    await pressAndLoad(page);

    // Assess: the initiative's own page
    expect(await page.locator('.error-summary').allInnerTexts(), 'the form was refused').toEqual([]);
    expect(new URL(page.url()).pathname).toBe('/nl/initiatives/buurtbibliotheek-van-limburg-stirum');
    expect(await text('[role=status]')).toBe('Je initiatief is aangemeld. Welkom op Plein!');
    expect(await text('h1')).toBe('Buurtbibliotheek Van Limburg Stirum');
    expect(await page.locator('h1').getAttribute('lang')).toBe('nl');
    expect(await text('.initiative__header')).toContain(
      'Een boekenkast op de stoep: neem een boek mee, zet er een terug.',
    );
    expect(await text('.facts')).toContain('Amsterdam · Bos en Lommer');
    expect(await texts('.facts .tag')).toEqual(['boeken', 'samen-lezen']);
    expect(await texts('.prose p')).toEqual([
      'We beginnen met twee kasten.',
      'Later komt er een leesbank bij.',
    ]);
    const activity = await text('.activities li');
    expect(activity).toContain('Opening van de kast');
    expect(activity).toContain('zaterdag 12 juni 2027 om 16:00');
    expect(activity).toContain('Plaats: Hoek Van Limburg Stirumstraat');
    expect(await page.locator('.activities time').getAttribute('datetime')).toBe('2027-06-12T16:00:00+02:00');
    expect(await texts('.help-list li')).toEqual(['Een ruimte', 'Materialen']);
    expect(await text('#stance + p')).toBe(
      'Eerst overleggen: de gemeente neemt contact op voordat ze hulp aanbiedt.',
    );
    expect(await page.getByRole('link', { name: 'Website' }).getAttribute('href')).toBe(
      'https://boekenkast.example.org',
    );
    expect(await text('.owner-tools')).toContain('noor@example.org');
    expect(await page.getByRole('link', { name: 'Dit initiatief bewerken' }).count()).toBe(1);

    // Act: the list, filtered by municipality and neighbourhood
    await tabTo(page, { text: 'Initiatieven', tag: 'a' });
    await pressAndLoad(page);
    await typeInto(page, 'filter-municipality', 'Amst');
    await typeInto(page, 'filter-neighbourhood', 'Bos');
    await tabTo(page, { text: 'Toon initiatieven', tag: 'button' });
    await pressAndLoad(page);

    // Assess
    const query = new URL(page.url()).searchParams;
    expect(query.get('municipality')).toBe('amsterdam');
    expect(query.get('neighbourhood')).toBe('bos-en-lommer');
    const names = await texts('.card__title');
    expect(names).toContain('Buurtbibliotheek Van Limburg Stirum');
    expect(names).toContain('Straatdiners Bos en Lommer');
    expect(names).not.toContain('Repair Café Oud-West');
    expect(names).not.toContain('Buurtfeest Zillebeke');
    expect(await texts('.card__place')).toEqual(names.map(() => 'Amsterdam · Bos en Lommer'));
    expect(await page.locator('#filter-neighbourhood').inputValue()).toBe('bos-en-lommer');
  });

  it('shows every mistake at the top and at its field, and keeps what was typed', async () => {
    // Prepare
    await page.goto('/nl/initiatives/new');
    await signInByKeyboard(page, 'Inloggen', 'Inloggen als Noor Bakker');
    expect(await text('h1')).toBe('Initiatief aanmelden');

    // Act: a name too short, no summary, no neighbourhood, a bad web address, an activity without a date
    await typeInto(page, 'f-name', 'X');
    await typeInto(page, 'f-website', 'niet-een-adres');
    await tabTo(page, { id: 'f-helpWanted-funding' });
    await page.keyboard.press('Space');
    await typeInto(page, 'f-activityTitle', 'Buurtborrel');
    await tabTo(page, { text: 'Initiatief aanmelden', tag: 'button' });
    await pressAndLoad(page);

    // Assess: the summary, in focus, naming each field with a link to it
    expect(await page.title()).toBe('Fout: Initiatief aanmelden · Plein');
    const summary = page.locator('.error-summary[role=alert]');
    expect(await text('.error-summary[role=alert] h2')).toBe('Er is iets niet goed ingevuld');
    expect(await focused(page)).toMatchObject({
      text: expect.stringContaining('Er is iets niet goed ingevuld'),
    });
    const links = summary.locator('a');
    expect(await links.allInnerTexts()).toEqual([
      'Vul een naam in van 2 tot 120 tekens.',
      'Vul een korte beschrijving in van 10 tot 280 tekens.',
      'Kies een buurt uit de lijst.',
      'Vul een webadres in dat begint met https://, of laat het veld leeg.',
      'Vul de datum en begintijd van de activiteit in.',
    ]);
    expect(await Promise.all((await links.all()).map((link) => link.getAttribute('href')))).toEqual([
      '#f-name',
      '#f-summary',
      '#f-place',
      '#f-website',
      '#f-activityStartsAt',
    ]);

    // Assess: each field marked, its message beside it and read with it
    for (const [field, message] of [
      ['name', 'Vul een naam in van 2 tot 120 tekens.'],
      ['summary', 'Vul een korte beschrijving in van 10 tot 280 tekens.'],
      ['place', 'Kies een buurt uit de lijst.'],
      ['website', 'Vul een webadres in dat begint met https://, of laat het veld leeg.'],
      ['activityStartsAt', 'Vul de datum en begintijd van de activiteit in.'],
    ] as const) {
      const control = page.locator(`#f-${field}`);
      expect(await control.getAttribute('aria-invalid'), field).toBe('true');
      expect((await control.getAttribute('aria-describedby'))?.split(' '), field).toContain(
        `f-${field}-error`,
      );
      expect(await spoken(`#f-${field}-error`), field).toBe(`Fout: ${message}`);
    }
    expect(await page.locator('#f-description').getAttribute('aria-invalid')).toBeNull();

    // Assess: nothing typed was lost
    expect(await page.locator('#f-name').inputValue()).toBe('X');
    expect(await page.locator('#f-website').inputValue()).toBe('niet-een-adres');
    expect(await page.locator('#f-activityTitle').inputValue()).toBe('Buurtborrel');
    expect(await page.locator('#f-helpWanted-funding').isChecked()).toBe(true);
    expect(await page.locator('#f-helpWanted-space').isChecked()).toBe(false);

    // Act: follow the first link, fix the name, and try again with the rest still wrong
    await tabTo(page, { text: 'Vul een naam in van 2 tot 120 tekens.', tag: 'a' });
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash).toBe('#f-name');
    await tabTo(page, { id: 'f-name' });
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Buurtborrel Bos en Lommer');
    await tabTo(page, { text: 'Initiatief aanmelden', tag: 'button' });
    await pressAndLoad(page);

    // Assess: the name is accepted now, the other mistakes remain
    expect(await page.locator('#f-name').getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('#f-name').inputValue()).toBe('Buurtborrel Bos en Lommer');
    expect(await page.locator('.error-summary a').count()).toBe(4);
  });

  it('asks a visitor who is not signed in to sign in first', async () => {
    const response = await page.goto('/nl/initiatives/new');
    expect(response?.status()).toBe(200);
    expect(await text('main')).toContain('Log in om een initiatief aan te melden.');
    expect(await page.locator('form.initiative-form').count()).toBe(0);
    await tabTo(page, { text: 'Naar inloggen', tag: 'a' });
    await pressAndLoad(page);
    expect(await text('h1')).toBe('Inloggen');
  });
});

describe('editing and archiving', () => {
  it('lets an owner change the summary, then archive the initiative after confirming', async () => {
    // Prepare
    await page.goto('/nl/initiatives/kroegentocht-de-baarsjes');
    await signInByKeyboard(page, 'Inloggen', 'Inloggen als Noor Bakker');

    // Act: edit
    await tabTo(page, { text: 'Dit initiatief bewerken', tag: 'a' });
    await pressAndLoad(page);
    expect(await text('h1')).toBe('Kroegentocht De Baarsjes bewerken');
    expect(await page.locator('#f-name').inputValue()).toBe('Kroegentocht De Baarsjes');
    expect(await page.locator('#f-stance-ask-first').isChecked()).toBe(true);
    await tabTo(page, { id: 'f-summary' });
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Een avond langs de buurtcafés, nu ook met een alcoholvrije route.');
    await tabTo(page, { text: 'Wijzigingen opslaan', tag: 'button' });
    await pressAndLoad(page);

    // Assess
    expect(new URL(page.url()).pathname).toBe('/nl/initiatives/kroegentocht-de-baarsjes');
    expect(await text('[role=status]')).toBe('Je wijzigingen zijn opgeslagen.');
    expect(await text('.initiative__header .lead')).toBe(
      'Een avond langs de buurtcafés, nu ook met een alcoholvrije route.',
    );
    expect(await text('.activities li')).toContain('Kroegentocht najaar');

    // Act: archive, with its confirmation step
    await tabTo(page, { text: 'Dit initiatief archiveren', tag: 'a' });
    await pressAndLoad(page);
    expect(await text('h1')).toBe('Kroegentocht De Baarsjes archiveren?');
    await tabTo(page, { text: 'Ja, archiveer dit initiatief', tag: 'button' });
    await pressAndLoad(page);

    // Assess: archived, no longer editable, no longer listed
    expect(await text('[role=status]')).toBe('Het initiatief is gearchiveerd.');
    expect(await text('main')).toContain('Dit initiatief is gearchiveerd.');
    expect(await page.getByRole('link', { name: 'Dit initiatief bewerken' }).count()).toBe(0);
    await page.goto('/nl/initiatives?municipality=amsterdam&neighbourhood=de-baarsjes');
    expect(await text('.results')).toContain('Er zijn geen initiatieven die bij deze filters passen.');
  });

  it('shows no Edit link to someone who is not an owner, and refuses the edit page with 403', async () => {
    // Prepare
    await page.goto('/nl/initiatives/straatdiners-bos-en-lommer');
    await signInByKeyboard(page, 'Inloggen', 'Inloggen als Pieter Vandamme');
    expect(await text('.site-header')).toContain('Ingelogd als Pieter Vandamme');

    // Assess: the page, without owner tools
    expect(await text('h1')).toBe('Straatdiners Bos en Lommer');
    expect(await page.getByRole('link', { name: 'Dit initiatief bewerken' }).count()).toBe(0);
    expect(await page.locator('.owner-tools').count()).toBe(0);

    // Act
    const response = await page.goto('/nl/initiatives/straatdiners-bos-en-lommer/edit');

    // Assess
    expect(response?.status()).toBe(403);
    expect(await text('h1')).toBe('Je kunt dit initiatief niet bewerken');
    expect(await text('main')).toContain('Alleen de eigenaren van dit initiatief kunnen het aanpassen.');
    expect(await page.locator('form.initiative-form').count()).toBe(0);
  });
});

describe('around the pages', () => {
  it('switches language on the same page, keeping the initiative in its own language', async () => {
    await page.goto('/nl/initiatives/repair-cafe-oud-west');
    await tabTo(page, { text: 'English', tag: 'a' });
    await pressAndLoad(page);
    expect(new URL(page.url()).pathname).toBe('/en/initiatives/repair-cafe-oud-west');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await text('#activities')).toBe('Activities');
    await tabTo(page, { text: 'Türkçe', tag: 'a' });
    await pressAndLoad(page);
    expect(await page.locator('html').getAttribute('lang')).toBe('tr');
    expect(await text('#activities')).toBe('Etkinlikler');
    expect(await page.locator('h1').getAttribute('lang')).toBe('en');
    expect(await text('.activities time')).toMatch(/(Pazartesi|Salı|Çarşamba|Perşembe|Cuma|Cumartesi|Pazar)/);
  });

  it("pages through the list with the API's cursor, and back to the first page", async () => {
    // Prepare: more initiatives than one page holds (20)
    const token = await hub.token('organiser-elif');
    const days = ['Pazartesi', 'Salı', 'Çarşamba', 'Perşembe', 'Cuma', 'Cumartesi', 'Pazar'];
    const before = (await hub.api('GET', '/api/initiatives?limit=100')).body.items.length as number;
    for (let index = before; index < 25; index++) {
      const created = await hub.api('POST', '/api/initiatives', {
        token,
        body: {
          name: `${days[index % days.length]} çay sohbeti ${index}`,
          summary: 'Komşular her hafta parkta çay içip sohbet ediyor.',
          municipalityId: 'beylikduzu',
          neighbourhoodId: 'cumhuriyet',
          language: 'tr',
        },
      });
      expect(created.status).toBe(201);
    }
    const listed = (await hub.api('GET', '/api/initiatives?limit=100')).body.items as { name: string }[];
    expect(listed.length).toBeGreaterThan(20);

    // Act
    await page.goto('/nl/initiatives');
    const firstPage = await texts('.card__title');
    await tabTo(page, { text: 'Volgende pagina', tag: 'a' });
    await pressAndLoad(page);

    // Assess
    expect(firstPage).toEqual(listed.slice(0, 20).map((initiative) => initiative.name));
    expect(new URL(page.url()).searchParams.get('cursor')).toBeTruthy();
    expect(await texts('.card__title')).toEqual(listed.slice(20, 40).map((initiative) => initiative.name));
    await tabTo(page, { text: 'Terug naar de eerste pagina', tag: 'a' });
    await pressAndLoad(page);
    expect(new URL(page.url()).search).toBe('');
    expect(await texts('.card__title')).toEqual(firstPage);
  });

  it('signs out again', async () => {
    await page.goto('/en/');
    await signInByKeyboard(page, 'Sign in', 'Sign in as Ayşe Demir');
    expect(await text('.site-header')).toContain('Signed in as Ayşe Demir');
    await tabTo(page, { text: 'Sign out', tag: 'button' });
    await pressAndLoad(page);
    expect(new URL(page.url()).pathname).toBe('/en/');
    expect(await text('.site-header')).not.toContain('Signed in');
    expect(await page.getByRole('link', { name: 'Sign in' }).count()).toBe(1);
  });

  it('refuses a form sent without its CSRF token, and signs nobody in', async () => {
    const response = await fetch(`${hub.url}/nl/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: hub.url,
        cookie: 'plein_csrf=abc',
      },
      body: new URLSearchParams({ user: 'organiser-noor', csrf: 'something-else' }),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Dit formulier is verlopen');
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('plein_session='))).toBe(false);
  });

  it('sends visitors to their language, and answers unknown addresses with a page of its own', async () => {
    const root = await fetch(`${hub.url}/`, {
      redirect: 'manual',
      headers: { 'accept-language': 'tr-TR,en;q=0.5' },
    });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/tr/');
    const home = await page.goto('/nl/');
    expect(home?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(home?.headers()['x-content-type-options']).toBe('nosniff');
    const missing = await page.goto('/nl/initiatives/bestaat-niet');
    expect(missing?.status()).toBe(404);
    expect(await text('h1')).toBe('Pagina niet gevonden');
  });
});
