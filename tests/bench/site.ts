/**
 * Page budgets: what the site's pages cost a browser, against the local hub with the built site
 * (`npm run build:site` first) and the demo data plus enough initiatives that the list shows 20.
 *
 * - Bytes over the wire (headers and bodies as sent, as Chromium's network layer counts them) and the
 *   JavaScript among them, for the home, list, initiative and poll pages, from a cold cache; load time
 *   (navigation start to the load event) as a ratio to a tiny static HTML page served by the same
 *   server in the same run, median of BENCH_SITE_LOADS loads.
 * - Lighthouse 13 performance and accessibility scores (its default: a mid-range phone, simulated
 *   slow 4G), median of BENCH_LIGHTHOUSE_RUNS runs per page, with chrome-launcher on Debian's Chromium.
 *
 * Writes bench-results/site.json and prints a table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import type { Browser } from 'playwright-core';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import type { SiteHandler } from '../../infra/local/http-server.ts';
import { type Hub, startHub } from '../../infra/local/hub.ts';
import { withStaticAssets } from '../../site/serve-static.ts';
import { CHROMIUM_FLAGS, chromiumPath, launchChromium } from '../e2e/support/chromium.ts';
import { jsonClient } from '../support/json-client.ts';
import { median } from './support.ts';

const LOADS = Number(process.env.BENCH_SITE_LOADS ?? 9);
const LIGHTHOUSE_RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3);
/** The seeding writes come fast from one new account: budgets it cannot reach, no cool-down. */
const SEEDING = {
  perUser: { limit: 100_000, windowSeconds: 60 },
  perSourceIp: { limit: 1_000_000, windowSeconds: 60 },
  coolDown: { seconds: 0 },
};
const BUDGET = { totalKb: 60, jsKb: 15, performance: 95, accessibility: 100 };

const root = resolve(import.meta.dirname, '../..');
/** The demo data has a handful of initiatives: enough more in Amsterdam that a page of the list holds 20. */
async function seed(hub: Hub): Promise<{ pollId: string }> {
  const call = jsonClient(hub.url);
  const token = (await call('POST', '/dev/token', undefined, { user: 'organiser-noor' })).token as string;
  const existing = ((await call('GET', '/api/initiatives?limit=20')).items as unknown[]).length;
  const streets = [
    'Admiraal de Ruijterweg',
    'Bos en Lommerweg',
    'Erasmusgracht',
    'Hoofdweg',
    'Jan Evertsenstraat',
  ];
  for (let index = existing; index < 24; index++) {
    const street = streets[index % streets.length];
    await call('POST', '/api/initiatives', token, {
      name: `Geveltuinen ${street} ${index}`,
      summary: `Buren zetten samen plantenbakken langs de gevels van de ${street}, en delen stekjes.`,
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
      language: 'nl',
      themes: ['groen', 'samen'],
    });
  }
  const listed = ((await call('GET', '/api/initiatives?limit=20')).items as unknown[]).length;
  if (listed !== 20) throw new Error(`the list shows ${listed} initiatives, not 20`);
  const polls = (await call('GET', '/api/polls?municipality=amsterdam&status=open')).items as {
    id: string;
  }[];
  if (!polls[0]) throw new Error('no open poll in the demo data');
  return { pollId: polls[0].id };
}

interface Transfer {
  totalBytes: number;
  jsBytes: number;
  cssBytes: number;
  htmlBytes: number;
  requests: number;
  loadMs: number;
}

/** One cold load: every response's encoded size as the network layer counted it, and the load time. */
async function load(browser: Browser, url: string): Promise<Transfer> {
  const context = await browser.newContext({ locale: 'nl-NL', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const types = new Map<string, string>();
  const sizes = new Map<string, number>();
  cdp.on('Network.responseReceived', (event) => types.set(event.requestId, event.type));
  cdp.on('Network.loadingFinished', (event) => sizes.set(event.requestId, event.encodedDataLength));
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response?.ok()) throw new Error(`${url}: ${response?.status()}`);
  const loadMs = (await page.evaluate(
    `(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()`,
  )) as number;
  await page.waitForTimeout(50);
  await context.close();
  const sum = (type?: string) =>
    [...sizes]
      .filter(([id]) => !type || types.get(id) === type)
      .reduce((total, [, bytes]) => total + bytes, 0);
  return {
    totalBytes: sum(),
    jsBytes: sum('Script'),
    cssBytes: sum('Stylesheet'),
    htmlBytes: sum('Document'),
    requests: sizes.size,
    loadMs,
  };
}

async function transfers(browser: Browser, url: string) {
  await load(browser, url); // warm the server, not the browser
  const runs: Transfer[] = [];
  for (let run = 0; run < LOADS; run++) runs.push(await load(browser, url));
  const first = runs[0] as Transfer;
  return { ...first, loadMs: median(runs.map((run) => run.loadMs)) };
}

async function lighthouseScores(url: string, port: number) {
  const performance: number[] = [];
  const accessibility: number[] = [];
  /** What made the score, per run: Lighthouse's simulated milliseconds (CLS unitless). */
  const metrics: Record<string, number>[] = [];
  for (let run = 0; run < LIGHTHOUSE_RUNS; run++) {
    const result = await lighthouse(url, {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'],
    });
    const categories = result?.lhr.categories;
    const audits = result?.lhr.audits ?? {};
    metrics.push(
      Object.fromEntries(
        [
          'first-contentful-paint',
          'largest-contentful-paint',
          'total-blocking-time',
          'cumulative-layout-shift',
          'server-response-time',
        ].map((id) => [id, Math.round((audits[id]?.numericValue ?? Number.NaN) * 1000) / 1000]),
      ),
    );
    performance.push(Math.round((categories?.performance?.score ?? 0) * 100));
    accessibility.push(Math.round((categories?.accessibility?.score ?? 0) * 100));
  }
  return {
    performance: median(performance),
    accessibility: median(accessibility),
    runs: { performance, accessibility, metrics },
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const entry = join(root, 'site/dist/server/entry.mjs');
const { handler } = (await import(pathToFileURL(entry).href)) as { handler: SiteHandler };
// The baseline: a tiny static page, served by the same static-file server in front of the same site.
const baselineDir = mkdtempSync(join(tmpdir(), 'plein-bench-site-'));
writeFileSync(
  join(baselineDir, 'baseline.html'),
  '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Baseline</title></head><body><h1>Plein</h1></body></html>\n',
);
const dynamodb = await startDynamoDbLocal();
try {
  const site = withStaticAssets(withStaticAssets(handler, join(root, 'site/dist/client')), baselineDir);
  const hub = await startHub({
    endpoint: dynamodb.endpoint,
    tableName: 'plein-bench-site',
    port: 0,
    seed: true,
    site,
    rateLimits: SEEDING,
  });
  try {
    const { pollId } = await seed(hub);
    const pages = [
      { name: 'home', path: '/nl/' },
      { name: 'list', path: '/nl/initiatives' },
      { name: 'initiative', path: '/nl/initiatives/straatdiners-bos-en-lommer' },
      { name: 'poll', path: `/nl/polls/${pollId}` },
    ];
    const browser = await launchChromium();
    const baseline = await transfers(browser, `${hub.url}/baseline.html`).finally(() => undefined);
    const measured = [];
    try {
      for (const page of pages)
        measured.push({ ...page, ...(await transfers(browser, `${hub.url}${page.path}`)) });
    } finally {
      await browser.close();
    }
    const chrome = await chromeLauncher.launch({ chromePath: chromiumPath(), chromeFlags: CHROMIUM_FLAGS });
    try {
      for (const page of measured)
        Object.assign(page, await lighthouseScores(`${hub.url}${page.path}`, chrome.port));
    } finally {
      chrome.kill();
    }
    const results = measured.map((page) => {
      const scores = page as typeof page & Awaited<ReturnType<typeof lighthouseScores>>;
      return {
        ...scores,
        loadRatio: page.loadMs / baseline.loadMs,
        withinBudget:
          page.totalBytes < BUDGET.totalKb * 1024 &&
          page.jsBytes < BUDGET.jsKb * 1024 &&
          scores.performance >= BUDGET.performance &&
          scores.accessibility >= BUDGET.accessibility,
      };
    });
    const folder = join(root, 'bench-results');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'site.json'),
      `${JSON.stringify({ at: new Date().toISOString(), node: process.version, loads: LOADS, lighthouseRuns: LIGHTHOUSE_RUNS, budget: BUDGET, baseline, pages: results }, null, 2)}\n`,
    );
    console.log(
      `\nPage budgets (cold cache, phone width; load: median of ${LOADS}, ratio to a ${baseline.totalBytes}-byte static page at ${baseline.loadMs.toFixed(1)} ms; Lighthouse: median of ${LIGHTHOUSE_RUNS})`,
    );
    console.log('| page | total | JS | CSS | HTML | requests | load (ratio) | performance | accessibility |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const page of results) {
      console.log(
        `| ${page.name} | ${kb(page.totalBytes)} | ${kb(page.jsBytes)} | ${kb(page.cssBytes)} | ${kb(page.htmlBytes)} | ${page.requests} | ${page.loadMs.toFixed(1)} ms (${page.loadRatio.toFixed(2)}) | ${page.performance} | ${page.accessibility} |`,
      );
    }
    console.log(
      `budgets: total < ${BUDGET.totalKb} KB, JS < ${BUDGET.jsKb} KB (the list page), performance ≥ ${BUDGET.performance}, accessibility ${BUDGET.accessibility}`,
    );
    const list = results.find((page) => page.name === 'list');
    if (!results.every((page) => page.withinBudget) || !list) process.exitCode = 1;
  } finally {
    await hub.stop();
  }
} finally {
  await dynamodb.stop();
  rmSync(baselineDir, { recursive: true, force: true });
}
