import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import { focused, pressAndLoad, tabTo, typeInto } from './support/keyboard.ts';
import { launchChromium, personAt, startSiteHub, visibleText } from './support/site.ts';

// Moderation as residents and owners meet it, by keyboard only: a resident reports an initiative,
// the municipality's staff hide it (through the API: their screens are not the site's yet), and its
// owner sees why on the page and appeals.

const REASON = 'Deze pagina noemt het privé-telefoonnummer van een buurvrouw.';
const APPEAL = 'Het nummer is dat van onze eigen buurtkast, niet van een buurvrouw.';

let hub: TestHub;
let browser: Browser;
let initiative: { id: string; slug: string };
let pollId: string;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startSiteHub(), launchChromium()]);
  // Prepare: a fresh initiative of Noor's, so that nothing else in the demo data is hidden
  const created = await hub.api('POST', '/api/initiatives', {
    token: await hub.token('organiser-noor'),
    body: {
      name: 'Buurtkast De Kolenkit',
      summary: 'Een kast op de hoek waar buren spullen ruilen en lenen.',
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
      language: 'nl',
    },
  });
  expect(created.status).toBe(201);
  initiative = created.body;
  const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
  const poll = await hub.api('POST', '/api/polls', {
    token: await hub.token('organiser-noor'),
    body: {
      owner: { kind: 'initiative', initiativeId: initiative.id },
      language: 'nl',
      question: 'Welke dag zetten we de kast buiten?',
      options: ['Zaterdag', 'Zondag'],
      audience: { scope: 'municipality' },
      opensAt: inHours(-1),
      closesAt: inHours(24),
    },
  });
  expect(poll.status).toBe(201);
  pollId = poll.body.id;
  if (poll.body.status === 'draft') {
    const opened = await hub.api('POST', `/api/polls/${pollId}/open`, {
      token: await hub.token('organiser-noor'),
    });
    expect(opened.status).toBe(200);
  }
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const text = visibleText;

describe('reporting an initiative, hiding it and appealing', () => {
  it('takes a report from a resident to the municipality, and an appeal from the owner', async () => {
    const path = `/nl/initiatives/${initiative.slug}`;

    // Act: a resident, not signed in, follows the page's report link and signs in on the way
    const resident = await personAt(browser, hub, path);
    await tabTo(resident, { text: 'Dit initiatief melden', tag: 'a' });
    await pressAndLoad(resident);
    expect(new URL(resident.url()).pathname).toBe('/nl/sign-in');
    await tabTo(resident, { text: 'Inloggen als Youssef El Amrani', tag: 'button' });
    await pressAndLoad(resident);

    // Assess: back at the report form, which names what is reported
    expect(new URL(resident.url()).pathname).toBe('/nl/report');
    expect(await text(resident, 'h1')).toBe('Initiatief melden');
    expect(await text(resident, '.lead')).toBe('Je meldt: Buurtkast De Kolenkit');

    // Act: send it without a reason
    await tabTo(resident, { text: 'Melding versturen', tag: 'button' });
    await pressAndLoad(resident);

    // Assess: the error summary has focus and leads to the first option; the group says what is wrong
    expect(await resident.title()).toMatch(/^Fout: Initiatief melden/);
    expect((await focused(resident))?.text).toContain('Kies waarom je dit meldt.');
    expect(await resident.locator('.error-summary a').getAttribute('href')).toBe('#f-category-spam');
    expect(await text(resident, 'fieldset .field-error')).toContain('Kies waarom je dit meldt.');

    // Act: choose "misleading" with the arrow keys, add a remark, send
    await tabTo(resident, { id: 'f-category-spam' });
    for (let step = 0; step < 4; step++) await resident.keyboard.press('ArrowDown');
    expect((await focused(resident))?.id).toBe('f-category-misleading');
    await typeInto(resident, 'f-reportText', 'Er staat een telefoonnummer van iemand anders op.');
    await tabTo(resident, { text: 'Melding versturen', tag: 'button' });
    await pressAndLoad(resident);

    // Assess: back on the initiative's page with thanks, and the report reached the municipality
    expect(new URL(resident.url()).pathname).toBe(path);
    expect(await text(resident, '[role=status]')).toBe('Bedankt, de gemeente gaat ernaar kijken.');
    const staffToken = await hub.token('staff-amsterdam');
    const reports = await hub.api('GET', '/api/municipalities/amsterdam/reports', { token: staffToken });
    expect(reports.status).toBe(200);
    expect(reports.body.items).toContainEqual(
      expect.objectContaining({
        kind: 'initiative',
        targetId: initiative.id,
        category: 'misleading',
        text: 'Er staat een telefoonnummer van iemand anders op.',
      }),
    );

    // Act: staff hide it, through the API
    const hidden = await hub.api('POST', `/api/moderation/initiative/${initiative.id}/hide`, {
      token: staffToken,
      body: { reason: REASON },
    });
    expect(hidden.status).toBe(200);

    // Assess: the public no longer finds it
    const gone = await resident.goto(path);
    expect(gone?.status()).toBe(404);

    // Act: Noor signs in and opens her initiative
    const owner = await personAt(browser, hub, '/nl/', 'Inloggen als Noor Bakker');
    await owner.goto(path);

    // Assess: the notice, with the reason as staff wrote it, an appeal form and no report link
    const notice = await text(owner, '#moderation');
    expect(notice).toContain('De gemeente heeft dit initiatief verborgen.');
    expect(notice).toContain(REASON);
    expect(await owner.locator('#moderation blockquote').getAttribute('lang')).toBe('');
    expect(await owner.locator('.report-link').count()).toBe(0);

    // Act: an appeal too short to read, then a real one
    await typeInto(owner, 'f-appealText', 'Oneens');
    await tabTo(owner, { text: 'Bezwaar versturen', tag: 'button' });
    await pressAndLoad(owner);
    expect((await focused(owner))?.text).toContain('Leg je bezwaar uit in 10 tot 2.000 tekens.');
    expect(await owner.locator('#f-appealText').getAttribute('aria-invalid')).toBe('true');
    await tabTo(owner, { id: 'f-appealText' });
    // Shown again exactly as typed: no whitespace of the template around it.
    expect((await focused(owner))?.value).toBe('Oneens');
    await owner.keyboard.press('ControlOrMeta+A');
    await owner.keyboard.type(APPEAL);
    await tabTo(owner, { text: 'Bezwaar versturen', tag: 'button' });
    await pressAndLoad(owner);

    // Assess: sent, pending on the page and in the API, and no second form
    expect(await text(owner, '[role=status]')).toBe('Je bezwaar is verstuurd naar de gemeente.');
    expect(await text(owner, '#moderation')).toMatch(
      /Je hebt op .+ bezwaar gemaakt\. De gemeente heeft nog niet besloten\./,
    );
    expect(await owner.locator('#f-appealText').count()).toBe(0);
    const seen = await hub.api('GET', `/api/initiatives/${initiative.id}`, {
      token: await hub.token('organiser-noor'),
    });
    expect(seen.body.moderation).toMatchObject({
      status: 'hidden',
      reason: REASON,
      appeal: {
        status: 'pending',
        text: APPEAL,
      },
    });
  });
});

describe("a hidden poll, on its owner's page", () => {
  it("offers the report link to others only, and takes the owner's appeal", async () => {
    const path = `/nl/polls/${pollId}`;
    // Assess: a visitor may report the poll, its owner is not offered to
    const visitor = await personAt(browser, hub, path);
    expect(await visitor.locator('.report-link a').getAttribute('href')).toBe(
      `/nl/report?kind=poll&id=${pollId}`,
    );
    const owner = await personAt(browser, hub, path, 'Inloggen als Noor Bakker');
    expect(await owner.locator('.report-link').count()).toBe(0);

    // Act: staff hide it; the owner reloads and appeals by keyboard
    const hidden = await hub.api('POST', `/api/moderation/poll/${pollId}/hide`, {
      token: await hub.token('staff-amsterdam'),
      body: { reason: 'Deze peiling is een kopie van die van de gemeente.' },
    });
    expect(hidden.status).toBe(200);
    expect((await visitor.goto(path))?.status()).toBe(404);
    await owner.goto(path);
    expect(await text(owner, '#moderation')).toContain('De gemeente heeft deze peiling verborgen.');
    expect(await text(owner, '#moderation blockquote')).toBe(
      'Deze peiling is een kopie van die van de gemeente.',
    );
    await typeInto(owner, 'f-appealText', 'Onze peiling gaat over de buurtkast, niet over het plein.');
    await tabTo(owner, { text: 'Bezwaar versturen', tag: 'button' });
    await pressAndLoad(owner);

    // Assess: pending, here and in the API
    expect(new URL(owner.url()).pathname).toBe(path);
    expect(await text(owner, '[role=status]')).toBe('Je bezwaar is verstuurd naar de gemeente.');
    expect(await text(owner, '#moderation')).toContain('De gemeente heeft nog niet besloten.');
    const seen = await hub.api('GET', `/api/polls/${pollId}`, { token: await hub.token('organiser-noor') });
    expect(seen.body.moderation.appeal.status).toBe('pending');
  });
});
