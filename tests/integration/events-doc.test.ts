import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents } from '../../shared/events/registry.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ seed: false });
});
afterAll(() => hub.stop());

/** Follows a local JSON pointer (`#/a/b`) in a document. */
function resolve(document: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
}

function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) =>
      key === '$ref' && typeof value === 'string' ? [value] : refsIn(value),
    );
  }
  return [];
}

describe('event documentation', () => {
  it('serves JSON Schema for the detail of every event in the catalog', async () => {
    const { status, body } = await hub.api('GET', '/api/events/schema');
    expect(status).toBe(200);
    expect(Object.keys(body.events).sort()).toEqual(allEvents.map((event) => event.name).sort());
    for (const definition of allEvents) {
      const entry = body.events[definition.name];
      expect(entry).toMatchObject({ source: definition.source, version: definition.version });
      const schema = entry.schema.$ref ? resolve(entry.schema, entry.schema.$ref) : entry.schema;
      expect(schema).toMatchObject({
        type: 'object',
        required: expect.arrayContaining(['eventId', 'version', 'occurredAt', 'municipalityId', 'data']),
      });
    }
    expect(body.events.SubscriptionFailing.source).toBe('plein.channels');
  });

  it('serves an AsyncAPI 3 document whose every reference resolves', async () => {
    const { status, body } = await hub.api('GET', '/api/events/asyncapi.json');
    expect(status).toBe(200);
    expect(body.asyncapi).toBe('3.0.0');
    expect(Object.keys(body.channels)).toHaveLength(allEvents.length);
    expect(body.operations.sendInitiativeRegistered).toMatchObject({ action: 'send' });
    const refs = refsIn(body);
    expect(refs.length).toBeGreaterThan(allEvents.length);
    for (const ref of refs) expect(resolve(body, ref), ref).toBeDefined();
    const payload = body.components.messages.InitiativeRegistered.payload;
    const detail = (payload.$ref ? resolve(body, payload.$ref) : payload) as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(detail.properties)).toEqual(
      expect.arrayContaining(['eventId', 'municipalityId', 'data']),
    );
  });
});
