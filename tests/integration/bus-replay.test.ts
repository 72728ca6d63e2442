import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../infra/local/event-bus.ts';
import { lambdaContext, loadHandler } from '../../infra/local/lambda.ts';
import { rules } from '../../shared/events/rules.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

/** A webhook receiver on loopback that answers 200 and keeps every request. */
let receiver: Server;
let receiverUrl: string;
const received: { path: string; body: string }[] = [];

let hub: TestHub;
let owner: string;
let staff: string;
/** The participation consumer, behind a switch that takes it down, and every event it was handed. */
let participationDown = false;
const participationCalls: BusEvent[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '/', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  hub = await startTestHub({ allowDeadLetters: true, channels: { dispatchIntervalMs: 25 } });
  owner = await hub.token('organiser-noor');
  staff = await hub.token('staff-amsterdam');
  // The catalog's participation rule with its real handler, a switch in front and a short retry policy.
  const rule = rules.find((candidate) => candidate.name === 'participation-figures');
  if (!rule) throw new Error('no participation rule');
  const handler = await loadHandler(rule.target.handler);
  hub.bus.removeRule(rule.name);
  hub.bus.addRule({
    name: rule.name,
    eventPattern: rule.eventPattern,
    targetId: rule.target.id,
    retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 60 },
    invoke: async (event) => {
      if (participationDown) throw new Error('participation table unreachable');
      participationCalls.push(event);
      return handler(event, lambdaContext('plein-participation'));
    },
  });
  await hub.settle();
});
afterAll(async () => {
  await hub.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

const register = async (name: string) => {
  const response = await hub.api('POST', '/api/initiatives', {
    token: owner,
    body: {
      name,
      summary: 'Buren doen samen iets moois in de straat.',
      municipalityId: 'amsterdam',
      neighbourhoodId: 'oud-west',
      language: 'nl',
    },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string };
};

const figures = async () =>
  (await hub.api('GET', '/api/municipalities/amsterdam/participation')).body as Record<string, unknown>;
const registered = (report: Record<string, unknown>) =>
  (report.totals as { initiativesRegistered: number }).initiativesRegistered;
const eventIdOf = (event: BusEvent) => (event.detail as { eventId: string }).eventId;
const initiativeIdOf = (event: BusEvent) =>
  (event.detail as { data?: { initiative?: { id?: string } } }).data?.initiative?.id;
const callsFor = (initiativeId: string) =>
  participationCalls.filter((event) => initiativeIdOf(event) === initiativeId);

describe('dead letters, redriven', () => {
  it('delivers a dead-lettered event once when it is redriven after its target is fixed', async () => {
    // Prepare: the participation consumer is down while an initiative registers
    const before = await figures();
    participationDown = true;
    const initiative = await register('Zwerfvuilronde Oud-West');
    await hub.settle();
    participationDown = false;
    const listed = await hub.api('GET', '/dev/bus/dead-letters');
    expect(listed.status).toBe(200);
    const letters = (listed.body.items as { id: string; ruleName: string; event: BusEvent }[]).filter(
      (letter) => initiativeIdOf(letter.event) === initiative.id,
    );
    expect(letters).toEqual([
      expect.objectContaining({ ruleName: 'participation-figures', attempts: 3, targetId: 'participation' }),
    ]);
    expect(await figures()).toEqual(before);
    // Act
    const redrive = await hub.api('POST', '/dev/bus/dead-letters/redrive', {
      body: { ruleName: 'participation-figures' },
    });
    await hub.settle();
    // Assess
    expect(redrive.status).toBe(202);
    expect(redrive.body).toEqual({ redriven: [letters[0]?.id], withoutRule: [] });
    expect(callsFor(initiative.id)).toHaveLength(1);
    expect(hub.bus.deadLetters).toEqual([]);
    const after = await figures();
    expect(registered(after)).toBe(registered(before) + 1);
    // A second redrive finds nothing to send, and the figure stays as it is.
    const again = await hub.api('POST', '/dev/bus/dead-letters/redrive');
    await hub.settle();
    expect(again.body).toEqual({ redriven: [], withoutRule: [] });
    expect(await figures()).toEqual(after);
  });
});

describe('archive and replay', () => {
  it('replays a time range: the events reach the rules again, with no second effect anywhere', async () => {
    // Prepare: a webhook subscription, and two registrations in the range
    const subscribed = await hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
      token: staff,
      body: { kind: 'webhook', url: `${receiverUrl}/replay`, eventTypes: ['InitiativeRegistered'] },
    });
    expect(subscribed.status).toBe(201);
    // Event times have whole seconds, as in EventBridge: the range starts at this second.
    const from = new Date(Math.floor(Date.now() / 1000) * 1000);
    const first = await register('Buurtkeuken Oud-West');
    const second = await register('Speelstraat Oud-West');
    await hub.settle();
    const to = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
    // The range starts at a whole second, so it may hold an earlier test's events too: count this test's.
    const webhooksFor = () =>
      received.filter(
        (request) =>
          request.path === '/replay' && [first.id, second.id].some((id) => request.body.includes(id)),
      );
    expect(webhooksFor()).toHaveLength(2);
    const figuresBefore = await figures();
    const feedBefore = await (await fetch(`${hub.url}/feeds/amsterdam.atom`)).text();
    const archived = await hub.api(
      'GET',
      `/dev/bus/archive?from=${from.toISOString()}&to=${to.toISOString()}&limit=1000`,
    );
    expect(archived.status).toBe(200);
    const registrations = (archived.body.items as BusEvent[]).filter((event) =>
      [first.id, second.id].includes(initiativeIdOf(event) ?? ''),
    );
    expect(registrations).toHaveLength(2);
    // Act
    const replay = await hub.api('POST', '/dev/bus/replay', {
      body: { from: from.toISOString(), to: to.toISOString(), name: 'after-the-fix' },
    });
    await hub.settle();
    // Assess: each event was delivered again, as a replayed event…
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ replayName: 'after-the-fix', events: archived.body.total });
    for (const initiative of [first, second]) {
      const calls = callsFor(initiative.id);
      expect(calls.map((event) => event['replay-name'])).toEqual([undefined, 'after-the-fix']);
      expect(new Set(calls.map(eventIdOf)).size).toBe(1);
      expect(calls[1]?.time).toBe(calls[0]?.time);
    }
    // …and changed nothing: the consumers had handled these eventIds already.
    expect(await figures()).toEqual(figuresBefore);
    expect(await (await fetch(`${hub.url}/feeds/amsterdam.atom`)).text()).toBe(feedBefore);
    expect(webhooksFor()).toHaveLength(2);
    // Replayed events are not archived again.
    const archivedAgain = await hub.api(
      'GET',
      `/dev/bus/archive?from=${from.toISOString()}&to=${to.toISOString()}&limit=1000`,
    );
    expect(archivedAgain.body.total).toBe(archived.body.total);
  });
});

describe('the development endpoints', () => {
  it.each([
    ['POST', '/dev/bus/replay', { from: 'yesterday', to: '2030-01-01T00:00:00Z' }, 'from'],
    ['POST', '/dev/bus/replay', { from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }, 'to'],
    ['POST', '/dev/bus/replay', { from: '2030-01-01T00:00:00Z', to: '2030-01-02T00:00:00Z', x: 1 }, ''],
    [
      'POST',
      '/dev/bus/replay',
      { from: '2030-01-01T00:00:00Z', to: '2030-01-02T00:00:00Z', rules: ['nope'] },
      'rules',
    ],
    ['POST', '/dev/bus/replay', '{not json', ''],
    ['POST', '/dev/bus/dead-letters/redrive', { ids: ['not-a-uuid'] }, 'ids.0'],
    ['GET', '/dev/bus/archive?from=soon', undefined, 'from'],
    ['GET', '/dev/bus/archive?limit=0', undefined, 'limit'],
  ])('%s %s refuses bad input with problem+json (%j)', async (method, path, body, errorPath) => {
    const response = await hub.api(method, path, { ...(body !== undefined ? { body } : {}) });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: errorPath })]),
    );
  });
});
