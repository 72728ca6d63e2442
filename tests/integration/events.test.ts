import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client.ts';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { handler as participation } from '../../functions/consumers/participation.ts';
import type { BusEvent } from '../../infra/local/event-bus.ts';
import { lambdaContext } from '../../infra/local/lambda.ts';
import { fileCheckpoints, memoryCheckpoints, StreamRelay } from '../../infra/local/stream-relay.ts';
import { InitiativeRegistered } from '../../shared/domain/initiative.ts';
import { patternFor } from '../../shared/events/rules.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let organiser: string;
const received: BusEvent[] = [];

// The relay's position lives in a file, as it does under `npm start`.
const checkpointFile = join(mkdtempSync(join(tmpdir(), 'plein-relay-')), 'checkpoint.json');
const checkpoints = fileCheckpoints(checkpointFile);

beforeAll(async () => {
  hub = await startTestHub({ checkpoints });
  organiser = await hub.token('organiser-noor');
  // An in-process target, subscribed the way a catalog rule is.
  hub.bus.addRule({
    name: 'test-registrations',
    eventPattern: patternFor(InitiativeRegistered),
    targetId: 'test',
    retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
    invoke: async (event) => void received.push(event),
  });
  await hub.settle();
});
afterAll(() => hub.stop());

const register = (name: string) =>
  hub.api('POST', '/api/initiatives', {
    token: organiser,
    body: {
      name,
      summary: 'Een initiatief om de events mee te testen.',
      municipalityId: 'amsterdam',
      neighbourhoodId: 'oud-west',
      language: 'nl',
    },
  });

/** What the in-process target received about one initiative, in order. */
const receivedFor = (initiativeId: string) =>
  received.filter(
    (event) => (event.detail as { data: { initiative: { id: string } } }).data.initiative.id === initiativeId,
  );

/** A relay that lost its checkpoint: it reads the stream from its start and publishes all again. */
async function relayFromStart() {
  await new StreamRelay({
    endpoint: hub.endpoint,
    tableName: hub.tableName,
    publisher: hub.bus,
    checkpoints: memoryCheckpoints(),
  }).pollOnce();
  await hub.bus.idle();
}

describe('domain events through the outbox', () => {
  it('reaches a rule target as an EventBridge event, its detail as the catalog defines it', async () => {
    // Act
    const created = await register('Avondwandeling Oud-West');
    await hub.settle();
    // Assess
    const event = receivedFor(created.body.id)[0];
    expect(event).toMatchObject({
      version: '0',
      source: 'plein.initiatives',
      'detail-type': 'InitiativeRegistered',
      account: expect.stringMatching(/^\d{12}$/),
      region: 'eu-west-1',
      resources: [],
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const detail = InitiativeRegistered.detail.parse(event?.detail);
    expect(detail).toMatchObject({ version: 1, municipalityId: 'amsterdam', neighbourhoodId: 'oud-west' });
    expect(detail.data.initiative).not.toHaveProperty('owners');
  });

  it('loses nothing while the relay is down: a new relay resumes from the durable checkpoint', async () => {
    // Prepare
    await hub.relay.stop();
    const created = await register('Buurtcompostering');
    const countFor = (id: string) => receivedFor(id).length;
    expect(countFor(created.body.id)).toBe(0);
    // Act: a new relay, in effect a new process, knowing only the checkpoint file.
    const relay = new StreamRelay({
      endpoint: hub.endpoint,
      tableName: hub.tableName,
      publisher: hub.bus,
      checkpoints: fileCheckpoints(checkpointFile),
    });
    await relay.pollOnce();
    await hub.bus.idle();
    // Assess
    expect(countFor(created.body.id)).toBe(1);
  });

  it('publishes again from an older checkpoint, and the duplicates carry the same eventId', async () => {
    // Prepare
    const created = await register('Gevelgroen');
    await relayFromStart();
    // Act: a relay that lost its checkpoint reads from the start of the stream.
    await relayFromStart();
    // Assess
    const copies = receivedFor(created.body.id);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(new Set(copies.map((event) => (event.detail as { eventId: string }).eventId)).size).toBe(1);
    expect(new Set(copies.map((event) => event.id)).size).toBe(copies.length);
  });
});

describe('participation figures', () => {
  it('counts a registration once, however often the event is delivered', async () => {
    // Prepare
    const created = await register('Burendag Oud-West');
    await relayFromStart();
    const event = receivedFor(created.body.id)[0];
    if (!event) throw new Error('the registration was not delivered');
    const client = createDocumentClient({ tableName: hub.tableName, endpoint: hub.endpoint });
    const month = (event.detail as { occurredAt: string }).occurredAt.slice(0, 7);
    const read = async () =>
      (
        await client.send(
          new GetCommand({ TableName: hub.tableName, Key: keys.participation('amsterdam', month) }),
        )
      ).Item?.initiativesRegistered as number;
    const before = await read();
    // Act: the same event, delivered twice more by hand.
    const first = await participation(event, lambdaContext('participation'));
    const second = await participation(event, lambdaContext('participation'));
    // Assess
    expect(first).toEqual({ counted: false });
    expect(second).toEqual({ counted: false });
    expect(await read()).toBe(before);
    // Every Amsterdam registration so far (4 demo ones plus this file's) was counted exactly once.
    const registeredHere = (await hub.api('GET', '/api/initiatives?municipality=amsterdam&limit=100')).body
      .items.length;
    expect(before).toBe(registeredHere);
    client.destroy();
  });
});
