import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Resource, resourcesOf, synthesize } from './support/synth.ts';

// The one test file that runs esbuild for real: path aliases (#shared/*), `.ts` import specifiers,
// ESM output and the `require` banner are only proven by a bundle that loads.
let template: Template;
let app: App;
let dispose: () => void;
beforeAll(async () => {
  ({ template, app, dispose } = await synthesize({ bundle: true }));
});
afterAll(() => dispose());

/** The staged bundle directory of a function, from the asset metadata CDK writes on it. */
function bundleOf(fn: Resource & { Metadata?: Record<string, string> }): string {
  const assetPath = fn.Metadata?.['aws:asset:path'];
  if (!assetPath) throw new Error('function without an asset');
  return join(app.outdir, assetPath);
}

describe('function bundles', () => {
  it('are ESM files with the createRequire banner and no unresolved aliases', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as (Resource & {
      Metadata?: Record<string, string>;
    })[];
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const file = join(bundleOf(fn), 'index.mjs');
      expect(existsSync(file), file).toBe(true);
      expect(existsSync(`${file}.map`), `${file}.map`).toBe(true);
      const code = readFileSync(file, 'utf8');
      expect(
        code.startsWith(
          "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        ),
      ).toBe(true);
      expect(code).not.toMatch(/["'](#shared|#functions)\//);
      expect(fn.Properties.Handler).toMatch(/^index\.\w+$/);
    }
  });

  it('load and answer: the meta bundle serves /api/health', () => {
    const [, meta] =
      resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('ApiMeta')) ?? [];
    const file = join(bundleOf(meta as Resource), 'index.mjs');
    const event = {
      version: '2.0',
      routeKey: 'GET /api/health',
      rawPath: '/api/health',
      rawQueryString: '',
      headers: {},
      requestContext: { http: { method: 'GET', path: '/api/health' } },
      isBase64Encoded: false,
    };
    // A separate process, so that the bundle loads as Lambda loads it, outside vitest's module runner.
    const script = `const { handler } = await import(${JSON.stringify(`file://${file}`)});
      process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, {})));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1' },
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toMatchObject({ statusCode: 200, body: '{"status":"ok"}' });
  });
});
