/**
 * Screenshots of the site's main pages at a phone's width (390 px) and a laptop's (1280 px), into
 * `screenshots/` (git-ignored). Run `npm run build:site` first; `npm run screenshots` does both.
 *
 * Starts what it needs and stops it again: DynamoDB Local in memory, the hub on a free port with the
 * built site and the demo data, and Debian's Chromium. Before the pictures it gives the demo some
 * facilitation to show (a request answered by an accepted offer, an open request, a pending offer)
 * and a resident's ballot, and two webhooks (one answered by a receiver here, one by nobody).
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import type { SiteHandler } from '../../infra/local/http-server.ts';
import { type Hub, startHub } from '../../infra/local/hub.ts';
import { launchChromium } from '../../tests/e2e/support/chromium.ts';
import { jsonClient } from '../../tests/support/json-client.ts';
import { withStaticAssets } from '../serve-static.ts';

const root = resolve(import.meta.dirname, '../..');
const outDir = join(root, 'screenshots');
const widths = [390, 1280];

type Json = Record<string, unknown>;

/** Facilitation on the street dinners and a ballot in the Bos en Lommer poll; the pages to take. */
async function demo(hub: Hub, receiverUrl: string) {
  const api = jsonClient(hub.url);
  const token = async (user: string) =>
    (await api('POST', '/dev/token', undefined, { user })).token as string;
  const [noor, staff, resident] = await Promise.all(
    ['organiser-noor', 'staff-amsterdam', 'resident-amsterdam'].map(token),
  );
  const id = (await api('GET', '/api/initiatives/straatdiners-bos-en-lommer')).id as string;
  // A webhook that delivers (to a receiver in this process) and one that nobody answers, for the
  // subscriptions and deliveries pages.
  await api('POST', '/api/municipalities/amsterdam/subscriptions', staff, {
    kind: 'webhook',
    url: `${receiverUrl}/wijkteam`,
    description: 'Wijkteam Bos en Lommer',
    eventTypes: ['FacilitationRequested', 'OfferAccepted'],
  });
  await api('POST', '/api/municipalities/amsterdam/subscriptions', staff, {
    kind: 'webhook',
    url: 'http://127.0.0.1:9/offline',
    description: 'Oude koppeling',
  });
  const space = await api('POST', `/api/initiatives/${id}/requests`, noor, {
    kind: 'space',
    text: 'Een overdekte plek voor 120 mensen als het regent, met stroom voor de kookplaten.',
    wantedBy: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
  });
  const offer = await api('POST', `/api/initiatives/${id}/offers`, staff, {
    kind: 'space',
    text: 'De sporthal aan de Erasmusgracht is op zaterdagen vrij; sleutel op te halen bij het stadsdeelkantoor.',
    conditions: 'Zaal bezemschoon achterlaten.',
    requestId: space.id,
  });
  await api('POST', `/api/offers/${offer.id}/accept`, noor);
  await api('POST', `/api/initiatives/${id}/requests`, noor, {
    kind: 'materials',
    text: 'Twintig extra statafels en een aggregaat voor de muziek.',
  });
  await api('POST', `/api/initiatives/${id}/offers`, staff, {
    kind: 'promotion',
    text: 'Een vermelding in de nieuwsbrief van het stadsdeel en op de schermen in de bibliotheek.',
  });
  const poll = ((await api('GET', '/api/polls?municipality=amsterdam&status=open')).items as Json[])[0];
  await api('PUT', `/api/polls/${poll?.id}/ballot`, resident, { choices: ['o3'] });
  // The participation figures are counted from events: let them arrive.
  await hub.relay.caughtUp();
  await hub.bus.idle();
  await hub.dispatcher.drain();
  return [
    { name: 'home-resident', path: '/nl/', as: resident },
    { name: 'home', path: '/nl/' },
    { name: 'list', path: '/nl/initiatives?municipality=amsterdam' },
    { name: 'initiative', path: '/nl/initiatives/straatdiners-bos-en-lommer' },
    { name: 'initiative-owner', path: '/nl/initiatives/straatdiners-bos-en-lommer', as: noor },
    { name: 'initiative-staff', path: '/nl/initiatives/straatdiners-bos-en-lommer', as: staff },
    { name: 'inbox', path: '/nl/municipalities/amsterdam/inbox', as: staff },
    { name: 'subscriptions', path: '/nl/municipalities/amsterdam/subscriptions', as: staff },
    { name: 'deliveries', path: '/nl/municipalities/amsterdam/deliveries', as: staff },
    { name: 'municipality-staff', path: '/nl/municipalities/amsterdam', as: staff },
    { name: 'municipality', path: '/nl/municipalities/amsterdam' },
    { name: 'polls', path: '/nl/polls' },
    { name: 'poll', path: `/nl/polls/${poll?.id}`, as: resident },
    { name: 'poll-form', path: '/nl/polls/new', as: staff },
  ];
}

async function shoot(browser: Browser, hub: Hub, pages: { name: string; path: string; as?: string }[]) {
  mkdirSync(outDir, { recursive: true });
  for (const width of widths) {
    const context = await browser.newContext({
      baseURL: hub.url,
      locale: 'nl-NL',
      viewport: { width, height: 900 },
    });
    const page = await context.newPage();
    for (const { name, path, as } of pages) {
      await context.clearCookies();
      if (as) await context.addCookies([{ name: 'plein_session', value: as, url: hub.url }]);
      const response = await page.goto(path);
      if (!response?.ok()) throw new Error(`${path}: ${response?.status()}`);
      const file = join(outDir, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
    }
    await context.close();
  }
}

const entry = join(root, 'site/dist/server/entry.mjs');
const { handler } = (await import(pathToFileURL(entry).href)) as { handler: SiteHandler };
const dynamodb = await startDynamoDbLocal();
try {
  const hub = await startHub({
    endpoint: dynamodb.endpoint,
    tableName: 'plein-screenshots',
    port: 0,
    seed: true,
    site: withStaticAssets(handler, join(root, 'site/dist/client')),
    // The demo's writes come fast from new accounts: no cool-down for them.
    rateLimits: { coolDown: { seconds: 0 } },
  });
  try {
    const browser = await launchChromium();
    try {
      const receiver = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(204).end());
      });
      await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
      try {
        const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
        await shoot(browser, hub, await demo(hub, receiverUrl));
      } finally {
        receiver.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    await hub.stop();
  }
} finally {
  await dynamodb.stop();
}
