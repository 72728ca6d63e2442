import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { createDocument } from 'zod-openapi';
import { routeGroups } from './api.ts';
import type { Route } from './route.ts';

type Operation = Record<string, unknown>;

function operation({ spec }: Route): Operation {
  const content = (schema: unknown, type = 'application/json') => ({ [type]: { schema } });
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.auth === 'required' ? { security: [{ bearer: [] }] } : {}),
    ...(spec.auth === 'optional' ? { security: [{}, { bearer: [] }] } : {}),
    requestParams: {
      ...(spec.params ? { path: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
    },
    ...(spec.method !== 'GET'
      ? {
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description:
                'A retried write with the same key gets the first answer and changes nothing more.',
              schema: { type: 'string', minLength: 8, maxLength: 128 },
            },
          ],
        }
      : {}),
    ...(spec.body ? { requestBody: { required: true, content: content(spec.body) } } : {}),
    responses: Object.fromEntries(
      Object.entries(spec.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.schema
            ? {
                content: content(
                  response.schema,
                  Number(status) >= 400 ? 'application/problem+json' : 'application/json',
                ),
              }
            : {}),
        },
      ]),
    ),
  };
}

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of every route, built from the route specs' zod schemas. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  if (cached) return cached;
  const paths: Record<string, Record<string, Operation>> = {};
  for (const group of routeGroups) {
    const { routes } = await group.load();
    for (const route of routes) {
      paths[route.spec.path] ??= {};
      (paths[route.spec.path] as Record<string, Operation>)[route.spec.method.toLowerCase()] = {
        tags: [group.name],
        ...operation(route),
      };
    }
  }
  cached = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Plein API',
      version: '1.0.0',
      description: 'Municipalities facilitate the initiatives that residents already run.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths: paths as never,
  }) as unknown as Record<string, unknown>;
  return cached;
}

/** What esbuild needs to build the meta function with its document built in (see meta.ts). */
export interface OpenApiBundling {
  /** The route group module that serves the document. */
  entry: 'functions/http/meta.ts';
  define: Record<string, string>;
  /** A module exporting `PLEIN_OPENAPI_DOCUMENT`: the document's JSON, Brotli-compressed, base64. */
  inject: string[];
}

/**
 * Builds the document now, at bundle time, into a module of its own for esbuild's `inject` (a file,
 * not a `define`: the document is ~90 KB, more than one command-line argument may carry). Compressed
 * (~90 KB of JSON to ~13 KB) so that the meta bundle stays within 250 KB.
 */
export async function openApiBundling(): Promise<OpenApiBundling> {
  const file = join(mkdtempSync(join(tmpdir(), 'plein-openapi-')), 'openapi-document.mjs');
  const compressed = brotliCompressSync(JSON.stringify(await openApiDocument()), {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
  });
  writeFileSync(file, `export const PLEIN_OPENAPI_DOCUMENT = '${compressed.toString('base64')}';\n`);
  return { entry: 'functions/http/meta.ts', define: { PLEIN_OPENAPI_BUNDLED: 'true' }, inject: [file] };
}
