import { brotliDecompressSync } from 'node:zlib';
import * as z from 'zod';
import { json, route, router } from './route.ts';

// Set by the meta function's bundle (see `openApiBundling` in openapi.ts): the flag through esbuild's
// `define`, the document (its JSON, Brotli-compressed, base64) through `inject`. Unbundled (locally,
// in tests) neither exists.
declare const PLEIN_OPENAPI_BUNDLED: true | undefined;
declare const PLEIN_OPENAPI_DOCUMENT: string;

let bundled: Record<string, unknown> | undefined;

/**
 * The document. In a bundle it was built at bundle time and the branch that builds it is dead code
 * that esbuild drops, so the function ships 13 KB of compressed JSON instead of every route group's
 * module (and zod-openapi); it is inflated on first use (about a millisecond).
 */
async function openApiDocument(): Promise<Record<string, unknown>> {
  if (typeof PLEIN_OPENAPI_BUNDLED !== 'undefined') {
    bundled ??= JSON.parse(
      brotliDecompressSync(Buffer.from(PLEIN_OPENAPI_DOCUMENT, 'base64')).toString('utf8'),
    );
    return bundled as Record<string, unknown>;
  } else return (await import('./openapi.ts')).openApiDocument();
}

export const health = route(
  {
    method: 'GET',
    path: '/api/health',
    operationId: 'health',
    summary: 'Whether the API answers.',
    auth: 'none',
    responses: { 200: { description: 'It answers', schema: z.object({ status: z.literal('ok') }) } },
  },
  async () => json(200, { status: 'ok' }, { 'cache-control': 'no-store' }),
);

export const openApi = route(
  {
    method: 'GET',
    path: '/api/openapi.json',
    operationId: 'openApi',
    summary: 'This document: OpenAPI 3.1, generated from the same zod schemas that validate requests.',
    auth: 'none',
    responses: { 200: { description: 'The OpenAPI document' } },
  },
  async () => json(200, await openApiDocument(), { 'cache-control': 'public, max-age=300' }),
);

export const routes = [health, openApi];
export const handler = router(routes);
