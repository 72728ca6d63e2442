import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import { launchChromium, newVisitor, startSiteHub } from './support/site.ts';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startSiteHub(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('the local email outbox at /dev/mail', () => {
  it('shows the email a municipal email channel sent, readable and accessible', async () => {
    // Prepare: Amsterdam's staff subscribe an address to registrations; an organiser registers.
    const staff = await hub.token('staff-amsterdam');
    const subscribed = await hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
      token: staff,
      body: { kind: 'email', address: 'wijkteam@amsterdam.example', eventTypes: ['InitiativeRegistered'] },
    });
    expect(subscribed.status).toBe(201);
    const registered = await hub.api('POST', '/api/initiatives', {
      token: await hub.token('organiser-noor'),
      body: {
        name: 'Geveltuintjes Bos en Lommer',
        summary: 'Buren leggen samen geveltuintjes aan in hun straat.',
        municipalityId: 'amsterdam',
        neighbourhoodId: 'bos-en-lommer',
        language: 'nl',
      },
    });
    expect(registered.status).toBe(201);
    await hub.settle();
    // Act
    const context = await newVisitor(browser, hub, { bypassCSP: true });
    await context.addInitScript({ path: axePath });
    const page = await context.newPage();
    const response = await page.goto('/dev/mail');
    // Assess
    expect(response?.status()).toBe(200);
    const mail = page.locator('article', { hasText: 'wijkteam@amsterdam.example' });
    await expect.poll(() => mail.count()).toBe(1);
    expect(await mail.textContent()).toContain('Geveltuintjes Bos en Lommer');
    const { violations } = (await page.evaluate(
      "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa'] } })",
    )) as { violations: { id: string }[] };
    expect(violations.map((violation) => violation.id)).toEqual([]);
    await context.close();
  });
});
