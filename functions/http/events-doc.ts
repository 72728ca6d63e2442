import * as z from 'zod';
import type { EventDefinition } from '#shared/events/catalog.ts';
import { allEvents } from '#shared/events/registry.ts';
import { json, route, router } from './route.ts';

const CACHE = { 'cache-control': 'public, max-age=300' };

/** One event's detail as JSON Schema (draft 2020-12), from the catalog's zod schema. */
export function detailSchema(definition: EventDefinition) {
  return z.toJSONSchema(definition.detail, { io: 'output' });
}

let catalog: Record<string, unknown> | undefined;
let asyncApi: Record<string, unknown> | undefined;

/** Every event the hub emits, with the JSON Schema of its `detail`: what a municipality builds against. */
export function eventCatalogDocument(): Record<string, unknown> {
  catalog ??= {
    description:
      'Plein events. On EventBridge: `source` and `detail-type` as named, `detail` as the schema says. In a webhook (Standard Webhooks): `{ type: <detail-type>, timestamp: <occurredAt>, data: <detail> }`.',
    events: Object.fromEntries(
      allEvents.map((definition) => [
        definition.name,
        {
          source: definition.source,
          detailType: definition.name,
          version: definition.version,
          description: definition.description,
          schema: detailSchema(definition),
        },
      ]),
    ),
  };
  return catalog;
}

/**
 * An AsyncAPI 3.0 document of the same catalog: one channel per event type, a `send` operation for each
 * (Plein sends; a municipality's channel receives), and the detail schemas under components. Schemas named
 * in the catalog (Initiative, Offer, ...) appear once under components.schemas and are referenced from there.
 */
export function asyncApiDocument(): Record<string, unknown> {
  if (asyncApi) return asyncApi;
  const schemas: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const definition of allEvents) {
    const {
      definitions = {},
      $schema: _draft,
      ...payload
    } = JSON.parse(
      JSON.stringify(z.toJSONSchema(definition.detail, { io: 'output', target: 'draft-7' })).replaceAll(
        '"#/definitions/',
        '"#/components/schemas/',
      ),
    ) as { definitions?: Record<string, unknown>; $schema?: string };
    Object.assign(schemas, definitions);
    messages[definition.name] = {
      name: definition.name,
      title: definition.name,
      summary: definition.description,
      contentType: 'application/json',
      payload,
      headers: {
        type: 'object',
        description: 'EventBridge envelope fields (on a bus) or Standard Webhooks headers (on a webhook).',
        properties: {
          source: { const: definition.source },
          'detail-type': { const: definition.name },
        },
      },
    };
    channels[definition.name] = {
      address: `${definition.source}/${definition.name}`,
      title: definition.name,
      description: `${definition.description} EventBridge: source ${definition.source}, detail-type ${definition.name}.`,
      messages: { [definition.name]: { $ref: `#/components/messages/${definition.name}` } },
    };
    operations[`send${definition.name}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${definition.name}` },
      summary: `Plein sends ${definition.name} to every subscribed channel whose filter matches.`,
      messages: [{ $ref: `#/channels/${definition.name}/messages/${definition.name}` }],
    };
  }
  asyncApi = {
    asyncapi: '3.0.0',
    info: {
      title: 'Plein events',
      version: '1.0.0',
      description:
        "Domain events of the Plein hub, fanned out to each municipality's channels: signed webhooks (Standard Webhooks), email, Atom feeds and EventBridge buses.",
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas, messages },
  };
  return asyncApi;
}

export const eventSchemas = route(
  {
    method: 'GET',
    path: '/api/events/schema',
    operationId: 'eventSchemas',
    summary: 'Every event Plein emits, with the JSON Schema of its detail, generated from the catalog.',
    auth: 'none',
    responses: { 200: { description: 'The event catalog with JSON Schemas' } },
  },
  async () => json(200, eventCatalogDocument(), CACHE),
);

export const eventAsyncApi = route(
  {
    method: 'GET',
    path: '/api/events/asyncapi.json',
    operationId: 'eventAsyncApi',
    summary: 'The event catalog as an AsyncAPI 3.0 document.',
    auth: 'none',
    responses: { 200: { description: 'The AsyncAPI document' } },
  },
  async () => json(200, asyncApiDocument(), CACHE),
);

export const routes = [eventSchemas, eventAsyncApi];
export const handler = router(routes);
