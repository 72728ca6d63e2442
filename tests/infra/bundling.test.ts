import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '#functions/http/openapi.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { type Resource, resourcesOf, synthesize } from './support/synth.ts';

// The one test file that runs esbuild for real: path aliases (#shared/*), `.ts` import specifiers,
// ESM output and the `require` banner are only proven by a bundle that loads.
let template: Template;
let app: App;
let dispose: () => void;
let hub: TestHub;
beforeAll(async () => {
  ({ template, app, dispose } = await synthesize({ bundle: true }));
  hub = await startTestHub();
});
afterAll(async () => {
  dispose();
  await hub?.stop();
});

/** The staged bundle directory of a function, from the asset metadata CDK writes on it. */
function bundleOf(fn: Resource & { Metadata?: Record<string, string> }): string {
  const assetPath = fn.Metadata?.['aws:asset:path'];
  if (!assetPath) throw new Error('function without an asset');
  return join(app.outdir, assetPath);
}

describe('function bundles', () => {
  it('are ESM files with the createRequire banner and no unresolved aliases', () => {
    // Plein's functions: CDK's BucketDeployment handler is CDK's own (Python).
    const functions = resourcesOf(template, 'AWS::Lambda::Function')
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([, fn]) => fn as Resource & { Metadata?: Record<string, string> });
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const file = join(bundleOf(fn), `${String(fn.Properties.Handler).replace(/\.\w+$/, '')}.mjs`);
      expect(existsSync(file), file).toBe(true);
      expect(existsSync(`${file}.map`), `${file}.map`).toBe(true);
      const code = readFileSync(file, 'utf8');
      expect(
        code.startsWith(
          "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        ),
      ).toBe(true);
      expect(code).not.toMatch(/["'](#shared|#functions)\//);
      expect(fn.Properties.Handler).toMatch(/^(server\/)?index\.\w+$/);
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

  it('serve /api/openapi.json from the meta bundle: the document built at bundle time, identical', async () => {
    const answer = await invoke(bundleFile('ApiMeta'), apiEvent('GET', '/api/openapi.json'));
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(await openApiDocument());
    // The document is built in: the bundle carries no route group's handler and no zod-openapi.
    const code = readFileSync(bundleFile('ApiMeta'), 'utf8');
    expect(code).not.toContain('createDocument');
    expect(code).not.toContain('/api/initiatives/{id}/offers');
  });

  it('render pages from the page bundle for an API Gateway v2 event, with the API behind them', async () => {
    const file = bundleFile('SitePages');
    expect(file).toMatch(/\/server\/index\.mjs$/);
    const page = await invoke(
      file,
      apiEvent('GET', '/nl/municipalities/amsterdam', { 'x-forwarded-host': 'plein.example.org' }),
      { PLEIN_API_URL: hub.url },
    );
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<html lang="nl"');
    // Data that only the API has: the municipality's neighbourhoods, from the seeded table.
    expect(page.body).toContain('Bos en Lommer');

    // A form post from another origin is refused; the viewer's host (from CloudFront) is the origin.
    const post = (origin: string) =>
      invoke(
        file,
        {
          ...apiEvent('POST', '/nl/sign-in', {
            'x-forwarded-host': 'plein.example.org',
            origin,
            'content-type': 'application/x-www-form-urlencoded',
          }),
          body: 'user=resident-amsterdam',
        },
        { PLEIN_API_URL: hub.url },
      );
    const crossSite = await post('https://elsewhere.example');
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toContain('Cross-site POST form submissions are forbidden');
    // From the hub's own origin the post reaches the site, which asks for its CSRF token (none sent).
    const sameSite = await post('https://plein.example.org');
    expect(sameSite.body).not.toContain('Cross-site');
    expect(sameSite.body).toContain('<html lang="nl"');
  });
});

function bundleFile(idPrefix: string): string {
  const [, fn] = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(idPrefix)) ?? [];
  if (!fn) throw new Error(`no function ${idPrefix}`);
  return join(bundleOf(fn), `${String(fn.Properties.Handler).replace(/\.\w+$/, '')}.mjs`);
}

function apiEvent(method: string, path: string, headers: Record<string, string> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', accept: 'text/html', ...headers },
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      requestId: 'test',
      routeKey: '$default',
      stage: '$default',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

/**
 * Invokes a bundle's handler in a process of its own, as Lambda loads it, and returns its answer.
 * Asynchronously: the test hub the page bundle calls answers from this very process.
 */
async function invoke(
  file: string,
  event: unknown,
  env: Record<string, string> = {},
): Promise<{ statusCode: number; headers: Record<string, string>; body: string; cookies?: string[] }> {
  const script = `const { handler } = await import(${JSON.stringify(`file://${file}`)});
    process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, {})));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(stdout);
}
