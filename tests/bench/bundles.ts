/**
 * Bundle benchmark: each Lambda function bundled as the CDK app bundles it (esbuild, ESM, minified),
 * its size, and the median time for a fresh Node 24 process to import it, as a ratio to the same for
 * a one-line handler bundled the same way in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { routeGroups } from '../../functions/http/api.ts';
import { openApiBundling } from '../../functions/http/openapi.ts';
import { bundleSettings, handlerModule, repoRoot } from '../../infra/cdk/function.ts';
import { OUTBOX_ENRICHMENT } from '../../infra/cdk/plein-app.ts';
import { rules } from '../../shared/events/rules.ts';
import { median } from './support.ts';

const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 15);
const MAX_BUNDLE_BYTES = 250 * 1024;
const MAX_IMPORT_RATIO = 3;

// Inside the repository, so that the AWS SDK the bundles leave out resolves from node_modules, as it
// resolves from the runtime's own in Lambda.
const folder = resolve(import.meta.dirname, '../../bench-results/bundles');
mkdirSync(folder, { recursive: true });
const baselineSource = join(folder, 'one-line.ts');
writeFileSync(baselineSource, 'export const handler = async () => ({ statusCode: 200 });\n');
// A reference, not a target: what loading the DynamoDB clients alone costs, the floor of every table function.
const sdkSource = join(folder, 'sdk-only.ts');
writeFileSync(
  sdkSource,
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const handler = async () => DynamoDBDocumentClient.from(new DynamoDBClient({}));\n",
);

// The meta function carries the OpenAPI document built at bundle time, as the CDK app builds it.
const openApi = await openApiBundling();

const entries: {
  name: string;
  entry: string;
  define?: Record<string, string>;
  inject?: string[];
  /** Where the bundle goes, when its place matters (the Astro adapter wants a `server` folder). */
  file?: string;
}[] = [
  { name: 'baseline (one-line handler)', entry: baselineSource },
  { name: 'reference (DynamoDB clients only)', entry: sdkSource },
  ...routeGroups.map((group) => ({
    name: `api/${group.name}`,
    entry: join(repoRoot, group.entry),
    ...(group.entry === openApi.entry ? { define: openApi.define, inject: openApi.inject } : {}),
  })),
  ...[...new Set(rules.map((rule) => rule.target.handler)), OUTBOX_ENRICHMENT].map((reference) => ({
    name: handlerModule(reference)
      .entry.replace(/^functions\//, '')
      .replace(/\.ts$/, ''),
    entry: join(repoRoot, handlerModule(reference).entry),
  })),
  // The page function (needs `npm run build:site`): the Astro runtime and every page.
  {
    name: 'site/pages',
    entry: join(repoRoot, 'site/lambda.ts'),
    file: join(folder, 'site-pages', 'server', 'index.mjs'),
  },
];

const bundles: { name: string; file: string; bytes: number }[] = [];
for (const { name, entry, define, inject, file: place } of entries) {
  const file = place ?? join(folder, `${name.replace(/[^\w]+/g, '-')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: bundleSettings.target,
    minify: bundleSettings.minify,
    mainFields: [...bundleSettings.mainFields],
    external: [...bundleSettings.external],
    banner: { js: bundleSettings.banner },
    logLevel: 'warning',
    ...(define ? { define } : {}),
    ...(inject ? { inject } : {}),
  });
  bundles.push({ name, file, bytes: statSync(file).size });
}

/** Wall time of a fresh process that imports the bundle and touches its handler. */
function importMs(file: string): number {
  const script = `const t=performance.now();const m=await import(${JSON.stringify(file)});if(typeof m.handler!=='function')process.exit(2);process.stdout.write(String(performance.now()-t));`;
  const started = performance.now();
  execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '' },
  });
  return performance.now() - started;
}

// Interleave the bundles run by run, so that a busy moment of the machine hits all of them alike.
const samples = new Map(bundles.map((bundle) => [bundle.name, [] as number[]]));
for (let run = 0; run < RUNS; run++) {
  for (const bundle of bundles) samples.get(bundle.name)?.push(importMs(bundle.file));
}
const baseline = median(samples.get('baseline (one-line handler)') ?? []);
const rows = bundles.map((bundle) => {
  const ms = median(samples.get(bundle.name) ?? []);
  return {
    name: bundle.name,
    kilobytes: Math.round(bundle.bytes / 102.4) / 10,
    importMs: Math.round(ms * 10) / 10,
    importRatio: Math.round((ms / baseline) * 100) / 100,
  };
});

console.log(
  `\nBundles (esbuild, ESM, minified; import = fresh Node ${process.version} process, median of ${RUNS})`,
);
console.log('| function | size (KB) | import (ms) | import ratio to one-line handler |\n|---|---|---|---|');
for (const row of rows)
  console.log(`| ${row.name} | ${row.kilobytes} | ${row.importMs} | ${row.importRatio} |`);
const targets = rows.filter((row) => !row.name.startsWith('reference'));
const oversize = targets.filter((row) => row.kilobytes * 1024 > MAX_BUNDLE_BYTES);
const slow = targets.filter((row) => row.importRatio > MAX_IMPORT_RATIO);
console.log(
  `\nTargets: every bundle ≤ 250 KB (${oversize.length ? `over: ${oversize.map((row) => row.name).join(', ')}` : 'all within'}); import ratio ≤ ${MAX_IMPORT_RATIO} (${slow.length ? `over: ${slow.map((row) => row.name).join(', ')}` : 'all within'}).`,
);

const results = resolve(import.meta.dirname, '../../bench-results');
mkdirSync(results, { recursive: true });
writeFileSync(
  join(results, 'bundles.json'),
  `${JSON.stringify({ node: process.version, runs: RUNS, rows }, null, 2)}\n`,
);
