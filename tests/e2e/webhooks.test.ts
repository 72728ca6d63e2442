import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import { focused, pressAndLoad, tabTo, typeInto } from './support/keyboard.ts';
import { launchChromium, newVisitor, personAt, startSiteHub, visibleText } from './support/site.ts';

// A municipality's staff member subscribes a webhook by keyboard only, copies its secret from the
// page, and sees the signed delivery arrive at a receiver and listed as delivered.

const SANNE = 'Inloggen als Sanne de Vries (Gemeente Amsterdam)';
const MUNICIPALITY = '/nl/municipalities/amsterdam';

let hub: TestHub;
let browser: Browser;
let receiver: Server;
let receiverUrl: string;
/** Whether the receiver's `/flaky` path answers 500. */
let flakyDown = true;
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(request.url === '/flaky' && flakyDown ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  [hub, browser] = await Promise.all([startSiteHub(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

async function register(name: string) {
  const response = await hub.api('POST', '/api/initiatives', {
    token: await hub.token('organiser-noor'),
    body: {
      name,
      summary: 'Buren zetten samen plantenbakken langs de gevels.',
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
      language: 'nl',
    },
  });
  expect(response.status).toBe(201);
  await hub.settle();
  return response.body as { id: string };
}

async function arrivedAt(path: string, count: number) {
  const until = Date.now() + 10_000;
  while (received.filter((request) => request.path === path).length < count && Date.now() < until) {
    await hub.settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return received.filter((request) => request.path === path);
}

const secretOn = (page: Page) => page.locator('#f-secret').inputValue();

describe('subscribing a webhook', () => {
  let staff: Page;

  it('lets staff create a webhook by keyboard; a matching event arrives signed and is listed as delivered', async () => {
    // Act: Sanne goes from her municipality's page to its subscriptions
    staff = await personAt(browser, hub, MUNICIPALITY, SANNE);
    await staff.goto(MUNICIPALITY);
    await tabTo(staff, { text: 'Abonnementen', tag: 'a' });
    await pressAndLoad(staff);
    expect(await visibleText(staff, 'h1')).toBe('Abonnementen Amsterdam');
    expect(await visibleText(staff, '#current ~ p')).toBe('Er zijn nog geen abonnementen.');

    // Act: a webhook for new initiatives only
    await typeInto(staff, 'f-url', `${receiverUrl}/plein`);
    await typeInto(staff, 'f-description', 'Wijkteam Bos en Lommer');
    await tabTo(staff, { id: 'f-eventTypes-InitiativeRegistered' });
    await staff.keyboard.press('Space');
    await tabTo(staff, { text: 'Webhook aanmaken', tag: 'button' });
    await pressAndLoad(staff);

    // Assess: the secret, once, with what to do with it; the subscription is listed
    expect(await visibleText(staff, '#secret-title')).toBe('De webhook is aangemaakt: kopieer nu het geheim');
    expect(await visibleText(staff, '.secret-once')).toContain('Dit is de enige keer');
    const secret = await secretOn(staff);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const listed = await visibleText(staff, '#current + .items');
    expect(listed).toContain(`${receiverUrl}/plein`);
    expect(listed).toContain('Actief');
    expect(listed).toContain('Initiatief aangemeld');
    // The secret is on that answer only: the page again shows none
    await staff.goto(`${MUNICIPALITY}/subscriptions`);
    expect(await staff.locator('#f-secret').count()).toBe(0);

    // Act: something happens that the webhook asked for, and something it did not
    const initiative = await register('Geveltuinen De Kolenkit');
    await hub.api('POST', `/api/initiatives/${initiative.id}/archive`, {
      token: await hub.token('organiser-noor'),
    });

    // Assess: one delivery, whose signature the standardwebhooks library verifies with the page's secret
    const [request, ...more] = await arrivedAt('/plein', 1);
    await hub.settle();
    expect(more).toHaveLength(0);
    const payload = new Webhook(secret).verify(
      request?.body ?? '',
      request?.headers as Record<string, string>,
    );
    expect(payload).toMatchObject({
      type: 'InitiativeRegistered',
      data: { municipalityId: 'amsterdam', data: { initiative: { id: initiative.id } } },
    });

    // Act: from the subscriptions to the deliveries, by keyboard
    await tabTo(staff, { text: 'Afleveringen', tag: 'a' });
    await pressAndLoad(staff);

    // Assess: delivered, at the first try, to the receiver
    expect(await visibleText(staff, 'h1')).toBe('Afleveringen Amsterdam');
    const rows = staff.locator('table.deliveries tbody tr');
    expect(await rows.count()).toBe(1);
    const row = await rows.first().innerText();
    expect(row).toContain('Initiatief aangemeld');
    expect(row).toContain(`${receiverUrl}/plein`);
    expect(row).toContain('Afgeleverd');
    expect(await rows.first().locator('td.numeric').innerText()).toBe('1');
    expect(await rows.first().locator('button').count()).toBe(0);
  });

  it('gives a new secret that signs the next delivery, pauses and deletes, all by keyboard', async () => {
    // Act: a new secret
    await staff.goto(`${MUNICIPALITY}/subscriptions`);
    const old = received.length;
    await tabTo(staff, { text: 'Nieuw geheim', tag: 'button' });
    await pressAndLoad(staff);
    expect(await visibleText(staff, '#secret-title')).toBe('Nieuw geheim: kopieer het nu');
    const secret = await secretOn(staff);
    await register('Geveltuinen Landlust');
    const [, request] = await arrivedAt('/plein', 2);
    expect(received.length).toBe(old + 1);
    expect(() =>
      new Webhook(secret).verify(request?.body ?? '', request?.headers as Record<string, string>),
    ).not.toThrow();

    // Act: pause it; nothing more arrives
    await tabTo(staff, { text: 'Pauzeren', tag: 'button' });
    await pressAndLoad(staff);
    expect(await visibleText(staff, '[role=status]')).toBe('Het abonnement is gepauzeerd.');
    expect(await visibleText(staff, '#current + .items')).toContain('Gepauzeerd');
    await register('Geveltuinen Erasmuspark');
    expect(received.length).toBe(old + 1);

    // Act: delete it
    await tabTo(staff, { text: 'Verwijderen', tag: 'button' });
    expect((await focused(staff))?.text).toBe('Verwijderen');
    await pressAndLoad(staff);
    expect(await visibleText(staff, '[role=status]')).toBe('Het abonnement is verwijderd.');
    expect(await visibleText(staff, '#current ~ p')).toBe('Er zijn nog geen abonnementen.');
  });

  it('lists a failed delivery with its error, and sends it again when staff replay it', async () => {
    // Prepare: a webhook whose receiver is down, and an event for it
    const sanne = await hub.token('staff-amsterdam');
    const created = await hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
      token: sanne,
      body: { kind: 'webhook', url: `${receiverUrl}/flaky`, eventTypes: ['InitiativeRegistered'] },
    });
    expect(created.status).toBe(201);
    await register('Geveltuinen Bos en Lommerplein');
    await arrivedAt('/flaky', 1);
    await hub.settle();

    // Assess: failed, with the receiver's answer, and a replay button
    await staff.goto(`${MUNICIPALITY}/deliveries?status=failed`);
    const row = staff.locator('table.deliveries tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain('Mislukt, wordt opnieuw geprobeerd');
    expect(await row.innerText()).toContain('HTTP 500');

    // Act: the receiver is back; replay by keyboard
    flakyDown = false;
    await tabTo(staff, { text: 'Opnieuw versturen', tag: 'button' });
    await pressAndLoad(staff);
    expect(await visibleText(staff, '[role=status]')).toBe('De aflevering wordt opnieuw verstuurd.');
    await arrivedAt('/flaky', 2);
    await hub.settle();

    // Assess: delivered now, and nothing left failing
    await staff.goto(`${MUNICIPALITY}/deliveries?status=delivered`);
    expect(await staff.locator('table.deliveries tbody').innerText()).toContain(`${receiverUrl}/flaky`);
    await staff.goto(`${MUNICIPALITY}/deliveries?status=failed`);
    expect(await visibleText(staff, 'main')).toContain('Geen afleveringen.');
  });

  it('names the fields the API refused, and keeps what was typed', async () => {
    await staff.goto(`${MUNICIPALITY}/subscriptions`);
    await typeInto(staff, 'f-url', 'ftp://example.org/hook');
    await tabTo(staff, { text: 'Webhook aanmaken', tag: 'button' });
    await pressAndLoad(staff);
    expect(await visibleText(staff, '.error-summary')).toContain('Vul een volledig webadres in');
    expect(await staff.locator('#f-url').getAttribute('aria-invalid')).toBe('true');
    expect(await staff.locator('#f-url').inputValue()).toBe('ftp://example.org/hook');
  });

  it("shows the pages to the municipality's staff only", async () => {
    const visitor = await (await newVisitor(browser, hub)).newPage();
    for (const path of [`${MUNICIPALITY}/subscriptions`, `${MUNICIPALITY}/deliveries`]) {
      expect((await visitor.goto(path))?.status(), path).toBe(401);
      expect(await visibleText(visitor, 'main a')).toBe('Naar inloggen');
    }
    // Noor organises an initiative; Amsterdam's staff pages are not hers
    const noor = await personAt(browser, hub, '/nl/', 'Inloggen als Noor Bakker');
    for (const path of [`${MUNICIPALITY}/subscriptions`, `${MUNICIPALITY}/deliveries`]) {
      expect((await noor.goto(path))?.status(), path).toBe(403);
      expect(await visibleText(noor, 'h1')).toBe('Je kunt deze pagina niet zien');
    }
    expect(await noor.goto(MUNICIPALITY).then(() => noor.locator('a[href$="/subscriptions"]').count())).toBe(
      0,
    );
    expect((await noor.goto('/nl/municipalities/nergens/subscriptions'))?.status()).toBe(404);
  });
});
