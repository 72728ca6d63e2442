import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
const tokens: Record<string, string> = {};
type Role = 'owner' | 'otherOwner' | 'staff' | 'otherStaff' | 'resident' | 'anonymous';
const users: Record<Exclude<Role, 'anonymous'>, string> = {
  owner: 'organiser-noor',
  otherOwner: 'organiser-pieter',
  staff: 'staff-amsterdam',
  otherStaff: 'staff-ieper',
  resident: 'resident-amsterdam',
};
const as = (role: Role) => (role === 'anonymous' ? undefined : tokens[role]);

let initiativeId: string;

beforeAll(async () => {
  hub = await startTestHub();
  for (const [role, user] of Object.entries(users)) tokens[role] = await hub.token(user);
  const created = await hub.api('POST', '/api/initiatives', {
    token: as('owner'),
    body: {
      name: 'Speeltuin Bos en Lommer',
      summary: 'Bewoners bouwen samen een speeltuin op het pleintje.',
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
      language: 'nl',
    },
  });
  initiativeId = created.body.id;
});
afterAll(() => hub.stop());

const askForSpace = async () =>
  (
    await hub.api('POST', `/api/initiatives/${initiativeId}/requests`, {
      token: as('owner'),
      body: { kind: 'space', text: 'Een loods om materiaal op te slaan.', wantedBy: '2026-12-31' },
    })
  ).body;
const offerSpace = async (requestId?: string) =>
  (
    await hub.api('POST', `/api/initiatives/${initiativeId}/offers`, {
      token: as('staff'),
      body: {
        kind: 'space',
        text: 'De loods aan de Erasmusgracht.',
        conditions: 'Sleutel ophalen bij het stadsdeel.',
        ...(requestId ? { requestId } : {}),
      },
    })
  ).body;

describe('facilitation with consent, end to end', () => {
  it('owner asks, staff see it in their inbox and offer, owner accepts, the public sees it, staff deliver', async () => {
    // Act
    const request = await askForSpace();
    const inbox = await hub.api('GET', '/api/municipalities/amsterdam/inbox?limit=100', {
      token: as('staff'),
    });
    const offer = await offerSpace(request.id);
    const pendingForPublic = await hub.api('GET', `/api/initiatives/${initiativeId}/offers`);
    const pendingForOwner = await hub.api('GET', `/api/initiatives/${initiativeId}/offers`, {
      token: as('owner'),
    });
    const accepted = await hub.api('POST', `/api/offers/${offer.id}/accept`, { token: as('owner') });
    const publicAfter = await hub.api('GET', `/api/initiatives/${initiativeId}/offers`);
    const delivered = await hub.api('POST', `/api/offers/${offer.id}/deliver`, { token: as('staff') });
    // Assess
    expect(request.status).toBe('open');
    expect(inbox.body.items).toContainEqual({
      type: 'request',
      request: expect.objectContaining({ id: request.id }),
    });
    expect(offer.status).toBe('offered');
    expect(pendingForPublic.body.items.map((o: { id: string }) => o.id)).not.toContain(offer.id);
    expect(pendingForOwner.body.items.map((o: { id: string }) => o.id)).toContain(offer.id);
    expect(accepted.status).toBe(200);
    expect(publicAfter.body.items).toContainEqual(
      expect.objectContaining({ id: offer.id, status: 'accepted' }),
    );
    expect(delivered.body.status).toBe('delivered');
    const requestAfter = (await hub.api('GET', `/api/initiatives/${initiativeId}/requests`)).body.items.find(
      (r: { id: string }) => r.id === request.id,
    );
    expect(requestAfter).toMatchObject({ status: 'answered', firstOfferAt: offer.createdAt });
    const inboxAfter = await hub.api('GET', '/api/municipalities/amsterdam/inbox?limit=100', {
      token: as('staff'),
    });
    const waiting = inboxAfter.body.items.map(
      (entry: { request?: { id: string }; offer?: { id: string } }) => entry.request?.id ?? entry.offer?.id,
    );
    expect(waiting).not.toContain(request.id);
    expect(waiting).not.toContain(offer.id);
  });

  it('answers transitions the state machine forbids with 409 and changes nothing', async () => {
    const offer = await offerSpace();
    await hub.api('POST', `/api/offers/${offer.id}/withdraw`, { token: as('staff') });
    const before = await hub.snapshot();
    expect((await hub.api('POST', `/api/offers/${offer.id}/accept`, { token: as('owner') })).status).toBe(
      409,
    );
    expect((await hub.api('POST', `/api/offers/${offer.id}/deliver`, { token: as('staff') })).status).toBe(
      409,
    );
    expect(await hub.snapshot()).toEqual(before);
    const accepted = await offerSpace();
    await hub.api('POST', `/api/offers/${accepted.id}/accept`, { token: as('owner') });
    expect((await hub.api('POST', `/api/offers/${accepted.id}/accept`, { token: as('owner') })).status).toBe(
      409,
    );
  });

  it('lets exactly one of two concurrent accept/withdraw calls win; the other gets 409', async () => {
    for (let round = 0; round < 5; round++) {
      const offer = await offerSpace();
      const results = await Promise.all([
        hub.api('POST', `/api/offers/${offer.id}/accept`, { token: as('owner') }),
        hub.api('POST', `/api/offers/${offer.id}/withdraw`, { token: as('staff') }),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
      const final = (
        await hub.api('GET', `/api/initiatives/${initiativeId}/offers?limit=100`, { token: as('owner') })
      ).body.items.find((o: { id: string }) => o.id === offer.id);
      expect(final.status).toBe(results[0]?.status === 200 ? 'accepted' : 'withdrawn');
    }
  });

  it('keeps the inbox to the municipality’s own staff', async () => {
    expect((await hub.api('GET', '/api/municipalities/amsterdam/inbox')).status).toBe(401);
    expect(
      (await hub.api('GET', '/api/municipalities/amsterdam/inbox', { token: as('otherStaff') })).status,
    ).toBe(403);
    expect((await hub.api('GET', '/api/municipalities/amsterdam/inbox', { token: as('owner') })).status).toBe(
      403,
    );
  });
});

describe('participation figures through the API', () => {
  it('count requests, first answers and outcomes of offers', async () => {
    // Prepare
    const month = new Date().toISOString().slice(0, 7);
    const read = async () =>
      (await hub.api('GET', `/api/municipalities/amsterdam/participation?from=${month}&to=${month}`)).body
        .months[0];
    await hub.settle();
    const before = await read();
    // Act: two requests, both answered (one twice), one accepted, one declined, one withdrawn, one delivered.
    const first = await askForSpace();
    const second = await askForSpace();
    const a = await offerSpace(first.id);
    const b = await offerSpace(second.id);
    const c = await offerSpace(second.id);
    const d = await offerSpace();
    await hub.api('POST', `/api/offers/${a.id}/accept`, { token: as('owner') });
    await hub.api('POST', `/api/offers/${a.id}/deliver`, { token: as('staff') });
    await hub.api('POST', `/api/offers/${b.id}/decline`, { token: as('owner') });
    await hub.api('POST', `/api/offers/${c.id}/withdraw`, { token: as('staff') });
    expect(d.status).toBe('offered');
    await hub.settle();
    const after = await read();
    // Assess
    const delta = (counter: string) => after[counter] - before[counter];
    expect(delta('requestsReceived')).toBe(2);
    expect(delta('requestsAnswered')).toBe(2);
    expect(delta('offersMade')).toBe(4);
    expect(delta('offersAccepted')).toBe(1);
    expect(delta('offersDeclined')).toBe(1);
    expect(delta('offersWithdrawn')).toBe(1);
    expect(delta('offersDelivered')).toBe(1);
    expect(after.medianFirstAnswerSeconds).toBeGreaterThanOrEqual(0);
  });

  it('refuses a range that is backwards or too long, and an unknown municipality', async () => {
    expect(
      (await hub.api('GET', '/api/municipalities/amsterdam/participation?from=2026-05&to=2026-01')).status,
    ).toBe(400);
    expect(
      (await hub.api('GET', '/api/municipalities/amsterdam/participation?from=2020-01&to=2026-01')).status,
    ).toBe(400);
    expect((await hub.api('GET', '/api/municipalities/atlantis/participation')).status).toBe(404);
  });
});
