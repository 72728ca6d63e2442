import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import { pressAndLoad, tabTo, typeDate, typeInto } from './support/keyboard.ts';
import { launchChromium, personAt, startSiteHub, visibleText } from './support/site.ts';

// Facilitation as its two parties use it, by keyboard only: an initiative's owner asks, the
// municipality's staff answer from their inbox, the owner decides, and everyone sees the outcome.

const DINNERS = '/nl/initiatives/straatdiners-bos-en-lommer';

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

describe('asking for help and offering it', () => {
  let owner: Page;
  let staff: Page;

  it('lets an owner ask for a space; staff see it in the inbox and offer one; the owner accepts', async () => {
    // Act: Noor asks for a space on her initiative's page
    owner = await person(DINNERS, 'Inloggen als Noor Bakker');
    expect(await text(owner, '#ask-help')).toBe('Hulp vragen');
    await typeInto(owner, 'f-requestKind', 'Een r');
    await typeInto(owner, 'f-requestText', 'Een overdekte plek voor 120 mensen, voor als het regent.');
    await typeDate(owner, 'f-wantedBy', '2027-05-01');
    await tabTo(owner, { text: 'Hulp vragen', tag: 'button' });
    await pressAndLoad(owner);

    // Assess: asked, and listed as open
    expect(await text(owner, '[role=status]')).toBe('Je hulpvraag is verstuurd naar de gemeente.');
    const request = await text(owner, '#requests + .items');
    expect(request).toContain('Een ruimte');
    expect(request).toContain('Open');
    expect(request).toContain('Een overdekte plek voor 120 mensen, voor als het regent.');
    expect(request).toContain('Graag vóór 1 mei 2027');

    // Act: Sanne, staff of Amsterdam, opens her inbox from the header
    staff = await person('/nl/', 'Inloggen als Sanne de Vries (Gemeente Amsterdam)');
    await tabTo(staff, { text: 'Inbox', tag: 'a' });
    await pressAndLoad(staff);

    // Assess: the request, with its initiative and how long it has waited
    expect(await text(staff, 'h1')).toBe('Inbox ondersteuning Amsterdam');
    const inbox = await text(staff, '.inbox');
    expect(inbox).toContain('Hulpvraag: Een ruimte');
    expect(inbox).toContain('Straatdiners Bos en Lommer');
    expect(inbox).toMatch(/(seconden|seconde|minuut|minuten) geleden gevraagd|nu gevraagd/);

    // Act: offer a space in reply, from the inbox's link
    await tabTo(staff, { text: 'Hulp aanbieden', tag: 'a' });
    await pressAndLoad(staff);
    expect(new URL(staff.url()).pathname).toBe(DINNERS);
    expect(await text(staff, '#f-offerRequest option:checked')).toContain('Een ruimte');
    expect(await text(staff, '#f-offerKind option:checked')).toBe('Een ruimte');
    await typeInto(staff, 'f-offerText', 'De sporthal aan de Erasmusgracht is op zaterdagen vrij.');
    await typeInto(staff, 'f-conditions', 'Bezemschoon achterlaten.');
    await tabTo(staff, { text: 'Hulp aanbieden', tag: 'button' });
    await pressAndLoad(staff);

    // Assess: offered, waiting for the owner; the request is answered
    expect(await text(staff, '[role=status]')).toBe('Je aanbod is verstuurd naar het initiatief.');
    expect(await text(staff, '#staff-offers + .items')).toContain('Wacht op antwoord');
    expect(await text(staff, '#requests + .items')).toContain('Beantwoord');

    // Act: Noor sees the offer on her page and accepts it
    await owner.goto(DINNERS);
    const pending = await text(owner, '#pending-offers + p + .items');
    expect(pending).toContain('De sporthal aan de Erasmusgracht is op zaterdagen vrij.');
    expect(pending).toContain('Voorwaarden: Bezemschoon achterlaten.');
    await tabTo(owner, { text: 'Aannemen', tag: 'button' });
    await pressAndLoad(owner);

    // Assess
    expect(await text(owner, '[role=status]')).toBe('Je hebt het aanbod aangenomen.');
    expect(await owner.locator('#pending-offers').count()).toBe(0);
    expect(await text(owner, '.facilitated')).toContain('Ondersteund door Amsterdam: Een ruimte.');
  });

  it('shows the accepted help to a visitor who is not signed in, without anyone’s forms', async () => {
    const visitor = await person(DINNERS);

    expect(await text(visitor, '.facilitated')).toContain(
      'Ondersteund door Amsterdam: Een ruimte. De sporthal aan de Erasmusgracht is op zaterdagen vrij.',
    );
    expect(await text(visitor, '#requests + .items')).toContain('Beantwoord');
    for (const form of ['#f-requestText', '#f-offerText', '#pending-offers', '#staff-offers']) {
      expect(await visitor.locator(form).count(), form).toBe(0);
    }
  });

  it('lets an owner decline an offer without a reason, and staff withdraw or deliver theirs', async () => {
    // Prepare: two unasked offers from Amsterdam
    const token = await hub.token('staff-amsterdam');
    const { id } = (await hub.api('GET', '/api/initiatives/straatdiners-bos-en-lommer')).body;
    for (const body of [
      { kind: 'promotion', text: 'Een vermelding in de nieuwsbrief van het stadsdeel.' },
      { kind: 'materials', text: 'Twintig klaptafels uit het depot van het stadsdeel.' },
    ]) {
      expect((await hub.api('POST', `/api/initiatives/${id}/offers`, { token, body })).status).toBe(201);
    }

    // Act: Noor declines the first (there is no reason to give)
    await owner.goto(DINNERS);
    await tabTo(owner, { text: 'Afslaan', tag: 'button' });
    await pressAndLoad(owner);
    expect(await text(owner, '[role=status]')).toBe('Je hebt het aanbod afgeslagen.');

    // Act: Sanne withdraws the one still waiting, and marks the accepted space delivered
    await staff.goto(DINNERS);
    await tabTo(staff, { text: 'Intrekken', tag: 'button' });
    await pressAndLoad(staff);
    expect(await text(staff, '[role=status]')).toBe('Het aanbod is ingetrokken.');
    await tabTo(staff, { text: 'Markeren als geleverd', tag: 'button' });
    await pressAndLoad(staff);

    // Assess
    expect(await text(staff, '[role=status]')).toBe('Het aanbod is gemarkeerd als geleverd.');
    const offers = await text(staff, '#staff-offers + .items');
    expect(offers).toContain('Afgeslagen');
    expect(offers).toContain('Ingetrokken');
    expect(offers).toContain('Geleverd');
    expect(await text(staff, '.facilitated')).toMatch(/Geleverd op/);
    expect(await text(staff, '.facilitated')).not.toContain('nieuwsbrief');
  });

  it('respects what an initiative wants: no offer form when it wants none, replies only when asked first', async () => {
    // Prepare: an Amsterdam initiative that wants no help
    const token = await hub.token('organiser-noor');
    const created = await hub.api('POST', '/api/initiatives', {
      token,
      body: {
        name: 'Stille tuin Nieuwendam',
        summary: 'Een tuin waar buren zonder gemeente samen zaaien en oogsten.',
        municipalityId: 'amsterdam',
        neighbourhoodId: 'nieuwendam',
        language: 'nl',
        facilitationStance: 'none',
      },
    });
    expect(created.status).toBe(201);

    // Assess: staff are told, in plain words, instead of given a form
    await staff.goto(`/nl/initiatives/${created.body.slug}`);
    expect(await text(staff, '#offer-help + p')).toBe(
      'Dit initiatief wil geen hulp van de gemeente. Je kunt het daarom niets aanbieden.',
    );
    expect(await staff.locator('#f-offerText').count()).toBe(0);

    await staff.goto('/nl/initiatives/kroegentocht-de-baarsjes');
    expect(await text(staff, '#offer-help + p')).toContain('Dit initiatief wil eerst zelf vragen');
    expect(await staff.locator('#f-offerText').count()).toBe(0);
  });

  it('asks once when the same form is sent twice, as a double click does', async () => {
    // Prepare
    const { id } = (await hub.api('GET', '/api/initiatives/merk-bos-en-lommer')).body;
    const token = await hub.token('organiser-noor');
    const send = () =>
      fetch(`${hub.url}/nl/initiatives/merk-bos-en-lommer`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: hub.url,
          cookie: `plein_session=${token}; plein_csrf=double-submit-token`,
        },
        body: new URLSearchParams({
          csrf: 'double-submit-token',
          intent: 'ask',
          idempotencyKey: 'double-click-0001',
          requestKind: 'funding',
          requestText: 'Drukkosten voor de eerste 500 tassen.',
        }),
      });

    // Act
    const answers = [await send(), await send()];

    // Assess: both answered as done, one request asked
    expect(answers.map((answer) => answer.status)).toEqual([303, 303]);
    const requests = (await hub.api('GET', `/api/initiatives/${id}/requests`)).body.items;
    expect(requests).toHaveLength(1);
  });

  it('refuses the inbox to anyone but its staff, with a page that says why', async () => {
    const response = await owner.goto('/nl/municipalities/amsterdam/inbox');
    expect(response?.status()).toBe(403);
    expect(await text(owner, 'h1')).toBe('Je kunt deze inbox niet zien');
    expect(await text(owner, 'main')).toContain('Alleen medewerkers van Amsterdam');
    expect(await owner.getByRole('link', { name: 'Inbox' }).count()).toBe(0);
  });
});
