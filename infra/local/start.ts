import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withStaticAssets } from '../../site/serve-static.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import type { SiteHandler } from './http-server.ts';
import { startHub } from './hub.ts';

/**
 * `npm start`: DynamoDB Local with its data under .data/ (kept across restarts), the hub on
 * http://localhost:4321 (or the next free port, or $PORT), demo data on first start.
 */
const root = resolve(import.meta.dirname, '../..');
const dataDir = join(root, '.data');
const siteEntry = join(root, 'site/dist/server/entry.mjs');

async function loadSite(): Promise<SiteHandler | undefined> {
  if (!existsSync(siteEntry)) {
    console.warn('The site is not built (npm run build:site); serving the API only.');
    return undefined;
  }
  const module = (await import(pathToFileURL(siteEntry).href)) as { handler: SiteHandler };
  // Astro's middleware renders pages only; its built assets (CSS, icons) are served from dist/client,
  // as S3 serves them behind CloudFront in AWS.
  return withStaticAssets(module.handler, join(root, 'site/dist/client'));
}

async function listenOnFirstFreePort(
  start: number,
  attempts: number,
  run: (port: number) => Promise<unknown>,
) {
  for (let port = start; port < start + attempts; port++) {
    try {
      return await run(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      console.warn(`Port ${port} is taken; trying ${port + 1}.`);
    }
  }
  throw new Error(`No free port from ${start} to ${start + attempts - 1}`);
}

console.log(`Plein: starting on Node ${process.version}`);
const dynamodb = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
console.log(`DynamoDB Local: ${dynamodb.endpoint} (data in .data/dynamodb)`);
const site = await loadSite();
const requestedPort = Number(process.env.PORT ?? 4321);
const hub = (await listenOnFirstFreePort(requestedPort, process.env.PORT ? 1 : 20, (port) =>
  startHub({
    endpoint: dynamodb.endpoint,
    tableName: 'plein',
    port,
    host: process.env.HOST ?? 'localhost',
    dataDir,
    seed: true,
    ...(site ? { site } : {}),
    log: process.env.PLEIN_QUIET ? undefined : (line) => console.log(line),
  }),
)) as Awaited<ReturnType<typeof startHub>>;

console.log(`
Plein is running at ${hub.url}
  site:      ${hub.url}/nl/  (also /en/ and /tr/)
  API:       ${hub.url}/api/initiatives   (OpenAPI: ${hub.url}/api/openapi.json)
  sign in:   ${hub.url}/dev/users lists the demo users; POST ${hub.url}/dev/token {"user":"organiser-noor"}
Press Ctrl+C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await hub.stop();
    await dynamodb.stop();
    process.exit(0);
  });
}
