import * as z from 'zod';
import { openApiDocument } from './openapi.ts';
import { json, route, router } from './route.ts';

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
