import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBusLog, readLocalMail } from '../../infra/local/mail.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

/** A webhook receiver on loopback: each path answers as its script says, and every request is kept. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
const scripts = new Map<string, number[]>();
const answerFor = (path: string) => {
  const script = scripts.get(path) ?? [];
  return script.length > 1 ? (script.shift() as number) : (script[0] ?? 200);
};

let hub: TestHub;
const tokens: Record<string, string> = {};
const users = {
  staff: 'staff-amsterdam',
  otherStaff: 'staff-ieper',
  owner: 'organiser-noor',
  resident: 'resident-amsterdam',
};
type Role = keyof typeof users | 'anonymous';
const as = (role: Role) => (role === 'anonymous' ? undefined : tokens[role]);

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(answerFor(path)).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // Retries a tenth of a second apart, and "failing" after 0.3 s of failures instead of a day.
  hub = await startTestHub({
    channels: { dispatchIntervalMs: 25, retryScheduleMs: [100, 100, 100, 150], failingAfterMs: 300 },
  });
  for (const [role, user] of Object.entries(users)) tokens[role] = await hub.token(user);
});
afterAll(async () => {
  await hub.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

async function eventually<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`gave up waiting; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const subscribe = async (body: Record<string, unknown>, role: Role = 'staff') =>
  hub.api('POST', '/api/municipalities/amsterdam/subscriptions', { token: as(role), body });

const register = async (name: string, neighbourhoodId: string) => {
  const response = await hub.api('POST', '/api/initiatives', {
    token: as('owner'),
    body: {
      name,
      summary: 'Buren doen samen iets moois in de straat.',
      municipalityId: 'amsterdam',
      neighbourhoodId,
      language: 'nl',
    },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string; slug: string };
};

const receivedAt = (path: string) => received.filter((request) => request.path === path);
const deliveriesOf = async (subscriptionId: string) => {
  const page = await hub.api('GET', '/api/municipalities/amsterdam/deliveries?limit=100', {
    token: as('staff'),
  });
  return (page.body.items as { id: string; subscriptionId: string; status: string }[]).filter(
    (delivery) => delivery.subscriptionId === subscriptionId,
  );
};

describe('signed webhooks', () => {
  it('delivers a matching event, signed so that the standardwebhooks library verifies it', async () => {
    // Prepare
    const created = await subscribe({
      kind: 'webhook',
      url: `${receiverUrl}/ok`,
      eventTypes: ['InitiativeRegistered'],
      neighbourhoodIds: ['bos-en-lommer'],
      description: 'Wijkteam Bos en Lommer',
    });
    expect(created.status).toBe(201);
    const { secret, id: subscriptionId } = created.body;
    expect(secret).toMatch(/^whsec_/);
    // Act
    const initiative = await register('Geveltuinen Bos en Lommer', 'bos-en-lommer');
    const [request] = await eventually(
      () => receivedAt('/ok'),
      (list) => list.length === 1,
    );
    // Assess
    const payload = new Webhook(secret).verify(
      request?.body ?? '',
      request?.headers as Record<string, string>,
    );
    expect(payload).toMatchObject({
      type: 'InitiativeRegistered',
      data: { municipalityId: 'amsterdam', data: { initiative: { id: initiative.id } } },
    });
    const { data } = payload as { data: { eventId: string } };
    expect(request?.headers['webhook-id']).toBe(`dlv_${data.eventId}_${subscriptionId}`);
    expect(() =>
      new Webhook(`whsec_${Buffer.from('not the secret, 32 bytes long...').toString('base64')}`).verify(
        request?.body ?? '',
        request?.headers as Record<string, string>,
      ),
    ).toThrow();
    const shown = await hub.api('GET', `/api/subscriptions/${subscriptionId}`, { token: as('staff') });
    expect(shown.body).not.toHaveProperty('secret');
    expect(JSON.stringify(await hub.snapshot())).not.toContain(secret);
    await eventually(
      () => deliveriesOf(subscriptionId),
      (list) => list[0]?.status === 'delivered',
    );
  });

  it('delivers nothing for events its filter does not match', async () => {
    // Prepare
    const created = await subscribe({
      kind: 'webhook',
      url: `${receiverUrl}/filtered`,
      eventTypes: ['InitiativeArchived'],
      neighbourhoodIds: ['de-baarsjes'],
    });
    // Act: another neighbourhood, then another event type in its own neighbourhood
    await register('Buurtmoestuin Oud-West', 'oud-west');
    const own = await register('Ruilkast De Baarsjes', 'de-baarsjes');
    await hub.api('PATCH', `/api/initiatives/${own.id}`, {
      token: as('owner'),
      body: { summary: 'Een kast om boeken en spullen te ruilen.' },
    });
    await hub.settle();
    // Assess
    expect(receivedAt('/filtered')).toEqual([]);
    expect(await deliveriesOf(created.body.id)).toEqual([]);
  });

  it('retries a receiver that answers 500 three times, with the same webhook-id, until it takes it', async () => {
    // Prepare
    scripts.set('/flaky', [500, 500, 500, 200]);
    const created = await subscribe({
      kind: 'webhook',
      url: `${receiverUrl}/flaky`,
      eventTypes: ['InitiativeRegistered'],
      neighbourhoodIds: ['indische-buurt'],
    });
    // Act
    await register('Repair café Indische Buurt', 'indische-buurt');
    const tries = await eventually(
      () => receivedAt('/flaky'),
      (list) => list.length === 4,
    );
    // Assess
    expect(new Set(tries.map((request) => request.headers['webhook-id'])).size).toBe(1);
    for (const request of tries) {
      expect(
        new Webhook(created.body.secret).verify(request.body, request.headers as Record<string, string>),
      ).toBeTruthy();
    }
    const [delivery] = await eventually(
      () => deliveriesOf(created.body.id),
      (list) => list[0]?.status === 'delivered',
    );
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4 });
    const subscription = await hub.api('GET', `/api/subscriptions/${created.body.id}`, {
      token: as('staff'),
    });
    expect(subscription.body.status).toBe('active');
  });

  it('disables a subscription whose receiver answers 410 Gone', async () => {
    // Prepare
    scripts.set('/gone', [410]);
    const created = await subscribe({
      kind: 'webhook',
      url: `${receiverUrl}/gone`,
      eventTypes: ['InitiativeRegistered'],
      neighbourhoodIds: ['nieuwendam'],
    });
    // Act
    await register('Zwerfvuilrondje Nieuwendam', 'nieuwendam');
    const subscription = await eventually(
      async () =>
        (await hub.api('GET', `/api/subscriptions/${created.body.id}`, { token: as('staff') })).body,
      (body) => body.status === 'disabled',
    );
    await register('Nog een initiatief in Nieuwendam', 'nieuwendam');
    await hub.settle();
    // Assess
    expect(subscription.statusReason).toMatch(/410/);
    expect(receivedAt('/gone')).toHaveLength(1);
    expect(await deliveriesOf(created.body.id)).toMatchObject([{ status: 'dead', lastResponseStatus: 410 }]);
  });

  it('marks a receiver that keeps failing failing, tells the other channels, dead-letters, and replays', async () => {
    // Prepare
    scripts.set('/down', [503]);
    const mailbox = await subscribe({
      kind: 'email',
      address: 'wijkteams@amsterdam.example',
      eventTypes: ['SubscriptionFailing'],
    });
    const created = await subscribe({
      kind: 'webhook',
      url: `${receiverUrl}/down`,
      eventTypes: ['FacilitationRequested'],
    });
    const initiative = await register('Buurtkamer Bos en Lommer', 'bos-en-lommer');
    // Act
    await hub.api('POST', `/api/initiatives/${initiative.id}/requests`, {
      token: as('owner'),
      body: { kind: 'space', text: 'Een ruimte voor onze wekelijkse koffieochtend.' },
    });
    const [dead] = await eventually(
      () => deliveriesOf(created.body.id),
      (list) => list[0]?.status === 'dead',
    );
    const failing = await hub.api('GET', `/api/subscriptions/${created.body.id}`, { token: as('staff') });
    await eventually(
      () => readLocalMail(hub.channelDir),
      (mails) => mails.some((mail) => mail.subject.includes('Channel failing')),
    );
    scripts.set('/down', [200]);
    const replayed = await hub.api('POST', `/api/deliveries/${dead?.id}/replay`, {
      token: as('staff'),
    });
    // Assess
    expect(dead).toMatchObject({ status: 'dead', attempts: 5, lastResponseStatus: 503 });
    expect(receivedAt('/down')).toHaveLength(5);
    expect(failing.body).toMatchObject({
      status: 'failing',
      health: { lastError: expect.stringMatching(/503/) },
    });
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ status: 'pending', attempts: 0, replays: 1 });
    await eventually(
      () => deliveriesOf(created.body.id),
      (list) => list[0]?.status === 'delivered',
    );
    const recovered = await hub.api('GET', `/api/subscriptions/${created.body.id}`, { token: as('staff') });
    expect(recovered.body.status).toBe('active');
    const mails = readLocalMail(hub.channelDir).filter((mail) => mail.to === 'wijkteams@amsterdam.example');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain(created.body.id);
    expect(mailbox.body).not.toHaveProperty('secret');
  });
});

describe('email and event bus channels', () => {
  it('writes mail to the local outbox and records forwards to a bus', async () => {
    // Prepare
    const busArn = 'arn:aws:events:eu-west-1:123456789012:event-bus/gemeente-amsterdam';
    await subscribe({ kind: 'email', address: 'stadsdeel@amsterdam.example', eventTypes: ['OfferAccepted'] });
    await subscribe({ kind: 'eventbus', busArn, eventTypes: ['OfferAccepted'] });
    const initiative = await register('Tuinbouwclub De Baarsjes', 'de-baarsjes');
    const offer = await hub.api('POST', `/api/initiatives/${initiative.id}/offers`, {
      token: as('staff'),
      body: { kind: 'materials', text: 'Tien zakken potgrond en gereedschap.' },
    });
    // Act
    await hub.api('POST', `/api/offers/${offer.body.id}/accept`, { token: as('owner') });
    await hub.settle();
    // Assess
    const mails = readLocalMail(hub.channelDir).filter((mail) => mail.to === 'stadsdeel@amsterdam.example');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ subject: '[Plein] Offer accepted: materials' });
    expect(mails[0]?.text).toContain('Tien zakken potgrond');
    const forwarded = readBusLog(hub.channelDir).filter((entry) => entry.busArn === busArn);
    expect(forwarded).toMatchObject([
      {
        source: 'plein.facilitation',
        detailType: 'OfferAccepted',
        detail: { data: { offer: { id: offer.body.id } } },
      },
    ]);
  });
});

describe('subscriptions through the API', () => {
  it('refuses a bad subscription, naming every bad field', async () => {
    const response = await subscribe({
      kind: 'webhook',
      url: 'http://example.org/hook',
      eventTypes: ['BallotCast'],
      neighbourhoodIds: ['zillebeke'],
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'eventTypes.0',
    ]);
    const second = await subscribe({
      kind: 'webhook',
      url: 'http://example.org/hook',
      neighbourhoodIds: ['zillebeke'],
    });
    expect(second.status).toBe(400);
    expect(second.body.errors).toEqual([{ path: 'url', message: expect.stringMatching(/https/) }]);
    const third = await subscribe({
      kind: 'webhook',
      url: `${receiverUrl}/x`,
      neighbourhoodIds: ['zillebeke'],
    });
    expect(third.body.errors).toEqual([
      { path: 'neighbourhoodIds.0', message: expect.stringMatching(/Amsterdam/) },
    ]);
  });

  it('shows a secret once: a retried creation answers without it, a rotation gives a new one', async () => {
    const body = { kind: 'webhook', url: `${receiverUrl}/rotated`, eventTypes: ['InitiativeArchived'] };
    const headers = { 'idempotency-key': 'create-webhook-once-1' };
    const first = await hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
      token: as('staff'),
      body,
      headers,
    });
    const retry = await hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
      token: as('staff'),
      body,
      headers,
    });
    const rotated = await hub.api('POST', `/api/subscriptions/${first.body.id}/secret`, {
      token: as('staff'),
    });
    expect(first.body.secret).toMatch(/^whsec_/);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toMatchObject({ id: first.body.id });
    expect(retry.body).not.toHaveProperty('secret');
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(first.body.secret);
  });

  it('lets staff pause, resume and delete; a paused channel gets no new deliveries', async () => {
    const created = await subscribe({
      kind: 'email',
      address: 'pauze@amsterdam.example',
      eventTypes: ['InitiativeRegistered'],
    });
    const paused = await hub.api('PATCH', `/api/subscriptions/${created.body.id}`, {
      token: as('staff'),
      body: { status: 'paused' },
    });
    await register('Straatfeest Oud-West', 'oud-west');
    await hub.settle();
    const wrongField = await hub.api('PATCH', `/api/subscriptions/${created.body.id}`, {
      token: as('staff'),
      body: { url: 'https://example.org/hook' },
    });
    const deleted = await hub.api('DELETE', `/api/subscriptions/${created.body.id}`, { token: as('staff') });
    expect(paused.body.status).toBe('paused');
    expect(await deliveriesOf(created.body.id)).toEqual([]);
    expect(wrongField.status).toBe(400);
    expect(deleted.status).toBe(204);
    expect(
      (await hub.api('GET', `/api/subscriptions/${created.body.id}`, { token: as('staff') })).status,
    ).toBe(404);
  });
});

describe('tenancy', () => {
  let subscriptionId: string;
  let deliveryId: string;
  beforeAll(async () => {
    const created = await subscribe({
      kind: 'email',
      address: 'geheim@amsterdam.example',
      eventTypes: ['InitiativeRegistered'],
    });
    subscriptionId = created.body.id;
    await register('Burendag Indische Buurt', 'indische-buurt');
    await hub.settle();
    deliveryId = (await deliveriesOf(subscriptionId))[0]?.id ?? '';
    await hub.api('PATCH', `/api/subscriptions/${subscriptionId}`, {
      token: as('staff'),
      body: { status: 'paused' },
    });
  });

  const attempts = () => [
    { method: 'GET', path: '/api/municipalities/amsterdam/subscriptions', listing: true },
    {
      method: 'POST',
      path: '/api/municipalities/amsterdam/subscriptions',
      listing: true,
      body: { kind: 'email', address: 'x@example.org' },
    },
    { method: 'GET', path: '/api/municipalities/amsterdam/deliveries', listing: true },
    { method: 'GET', path: `/api/subscriptions/${subscriptionId}` },
    { method: 'PATCH', path: `/api/subscriptions/${subscriptionId}`, body: { status: 'active' } },
    { method: 'DELETE', path: `/api/subscriptions/${subscriptionId}` },
    { method: 'POST', path: `/api/subscriptions/${subscriptionId}/secret` },
    { method: 'GET', path: `/api/deliveries/${deliveryId}` },
    { method: 'POST', path: `/api/deliveries/${deliveryId}/replay` },
  ];

  it.each(['otherStaff', 'owner', 'resident', 'anonymous'] as const)(
    'keeps subscriptions and deliveries from %s, and changes nothing',
    async (role) => {
      // Prepare
      const before = await hub.snapshot();
      for (const attempt of attempts()) {
        // Act
        const response = await hub.api(attempt.method, attempt.path, { token: as(role), body: attempt.body });
        // Assess: 401 without a token; 403 on the municipality's lists, 404 on its items (they stay unknown)
        const expected = role === 'anonymous' ? 401 : attempt.listing ? 403 : 404;
        expect(response.status, `${attempt.method} ${attempt.path}`).toBe(expected);
        expect(JSON.stringify(response.body)).not.toContain('geheim@amsterdam.example');
      }
      expect(await hub.snapshot()).toEqual(before);
    },
  );
});
