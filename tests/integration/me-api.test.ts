import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { generateKeyPair, SignJWT } from 'jose';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client.ts';
import { DynamoInitiativeRepository } from '../../functions/adapters/dynamodb/initiatives.ts';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import type { Initiative } from '../../shared/domain/initiative.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let client: ReturnType<typeof createDocumentClient>;

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const registration = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  summary: 'Samen de buurt mooier maken, elke zaterdag weer.',
  municipalityId: 'beylikduzu',
  neighbourhoodId: 'yakuplu',
  language: 'tr',
  ...extra,
});

async function register(token: string, name: string, extra: Record<string, unknown> = {}, key?: string) {
  const response = await hub.api('POST', '/api/initiatives', {
    token,
    body: registration(name, extra),
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
  });
  expect(response.status).toBe(201);
  return response.body as Initiative;
}

/** The stored item, as the table holds it (owners and contact address included). */
async function stored(id: string): Promise<Initiative> {
  const { Item } = await client.send(
    new GetCommand({ TableName: hub.tableName, Key: keys.initiative(id), ConsistentRead: true }),
  );
  return Item?.data as Initiative;
}

/** An initiative written through the repository, as a registration would write it. */
function initiativeOf(owners: string[], name: string): Initiative {
  const now = new Date().toISOString();
  return {
    id: ulid(),
    slug: `initiatief-${randomUUID().slice(0, 12)}`,
    municipalityId: 'beylikduzu',
    neighbourhoodId: 'yakuplu',
    name,
    summary: 'Her pazar birlikte yemek pişirip paylaşıyoruz.',
    description: '',
    language: 'tr',
    themes: [],
    links: {},
    activities: [],
    helpWanted: [],
    facilitationStance: 'open',
    status: 'published',
    owners,
    createdAt: now,
    updatedAt: now,
    revision: 0,
  };
}

beforeAll(async () => {
  hub = await startTestHub();
  client = createDocumentClient({ tableName: hub.tableName, endpoint: hub.endpoint });
});
afterAll(async () => {
  client.destroy();
  await hub.stop();
});

describe('GET /api/me and GET /api/me/export', () => {
  it('shows the caller who they are and what they own, and exports their data only', async () => {
    // Prepare: two new residents, each with an initiative.
    const mine = await hub.token(`resident-${randomUUID()}`, {
      municipalityId: 'beylikduzu',
      neighbourhoodId: 'yakuplu',
    });
    const theirs = await hub.token(`resident-${randomUUID()}`, {
      municipalityId: 'beylikduzu',
      neighbourhoodId: 'yakuplu',
    });
    const own = await register(
      mine,
      'Yakuplu sokak kütüphanesi',
      { contactEmail: 'kutuphane@example.org' },
      `key-${randomUUID()}`,
    );
    const other = await register(theirs, 'Yakuplu bisiklet atölyesi');

    // Act
    const me = await hub.api('GET', '/api/me', { token: mine });
    const exported = await hub.api('GET', '/api/me/export', { token: mine });

    // Assess
    expect(me.status).toBe(200);
    expect(me.body.account).toMatchObject({
      residence: { municipalityId: 'beylikduzu', neighbourhoodId: 'yakuplu' },
      staffOf: [],
    });
    expect(me.body.initiatives).toEqual([
      { id: own.id, slug: own.slug, name: own.name, status: 'published' },
    ]);

    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    const initiatives = exported.body.sources.initiatives.items;
    expect(initiatives).toHaveLength(1);
    expect(initiatives[0]).toMatchObject({ id: own.id, contactEmail: 'kutuphane@example.org' });
    expect(initiatives[0].owners).toEqual([me.body.account.id]);
    expect(JSON.stringify(exported.body)).not.toContain(other.id);
    // The answer to the Idempotency-Key is kept 24 hours, and is theirs: it is in the export.
    expect(exported.body.sources.idempotencyRecords.items).toHaveLength(1);
    expect(exported.body.sources.idempotencyRecords.items[0].response.body).toContain(own.id);
    expect(exported.body.statements.ballots).toMatch(/not in this export/);
    const openapi = await hub.api('GET', '/api/openapi.json');
    expect(openapi.body.paths['/api/me']).toHaveProperty('delete');
    expect(openapi.body.paths['/api/me/export']).toHaveProperty('get');
  });

  it('answers 401 without a token and with a forged one', async () => {
    // Prepare: a token for a real demo user, signed with a key that is not the issuer's.
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ name: 'Noor Bakker', token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: 'plein-dev-1' })
      .setSubject('organiser-noor')
      .setIssuer(hub.url)
      .setAudience('plein-local')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const before = await hub.snapshot();
    // Act + Assess
    for (const [method, path] of [
      ['GET', '/api/me'],
      ['GET', '/api/me/export'],
      ['DELETE', '/api/me'],
    ] as const) {
      expect((await hub.api(method, path)).status).toBe(401);
      const refused = await hub.api(method, path, { token: forged });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(await hub.snapshot()).toEqual(before);
  });
});

describe('DELETE /api/me', () => {
  it('archives what they own alone, leaves what they share, keeps the tally, and ends the account', async () => {
    // Prepare: a demo resident who owns one initiative alone and one with organiser-elif, votes in a
    // poll, and wrote with an Idempotency-Key.
    const leaving = await hub.token('resident-beylikduzu');
    const partner = await hub.token('organiser-elif');
    const staff = await hub.token('staff-beylikduzu');
    const neighbour = await hub.token(`resident-${randomUUID()}`, {
      municipalityId: 'beylikduzu',
      neighbourhoodId: 'yakuplu',
    });
    const key = `key-${randomUUID()}`;
    const alone = await register(leaving, 'Ayşe’nin bahçesi', { contactEmail: 'ayse@example.org' }, key);
    // No route adds an owner yet: the shared initiative is written through the repository.
    const shared: Initiative = {
      ...initiativeOf(['organiser-elif', 'resident-beylikduzu'], 'Yakuplu mahalle mutfağı'),
      contactEmail: 'ayse@example.org',
    };
    await new DynamoInitiativeRepository(client, hub.tableName).create(shared, { events: [] });

    const poll = await hub.api('POST', '/api/polls', {
      token: staff,
      body: {
        owner: { kind: 'municipality', municipalityId: 'beylikduzu' },
        language: 'tr',
        question: 'Yeni park nereye yapılsın?',
        options: ['Okulun yanına', 'Pazar yerine'],
        audience: { scope: 'municipality' },
        opensAt: inHours(-1),
        closesAt: inHours(24),
      },
    });
    expect(poll.status).toBe(201);
    if (poll.body.status === 'draft') {
      expect((await hub.api('POST', `/api/polls/${poll.body.id}/open`, { token: staff })).status).toBe(200);
    }
    const pollId = poll.body.id as string;
    const ballot = (token: string, choice: string) =>
      hub.api('PUT', `/api/polls/${pollId}/ballot`, { token, body: { choices: [choice] } });
    expect((await ballot(leaving, 'o1')).status).toBeLessThan(300);
    expect((await ballot(neighbour, 'o2')).status).toBeLessThan(300);
    const tallyBefore = (await hub.api('GET', `/api/polls/${pollId}/results`)).body;
    expect(tallyBefore.ballots).toBe(2);
    // A report they made: theirs in the export, kept for the moderation record without them.
    const report = await hub.api('POST', '/api/reports', {
      token: leaving,
      body: { kind: 'initiative', targetId: shared.id, category: 'spam', text: 'Reklam.' },
    });
    expect(report.status).toBe(201);
    const exported = await hub.api('GET', '/api/me/export', { token: leaving });
    expect(JSON.stringify(exported.body)).toContain(report.body.id);

    // Act
    const deleted = await hub.api('DELETE', '/api/me', { token: leaving });
    await hub.settle();

    // Assess: the initiatives.
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted: true, initiativesArchived: 1, initiativesLeft: 1 });
    const archived = await stored(alone.id);
    expect(archived.status).toBe('archived');
    expect(archived.owners).toEqual(['deleted-account']);
    expect(archived).not.toHaveProperty('contactEmail');
    const left = await stored(shared.id);
    expect(left.status).toBe('published');
    expect(left.owners).toEqual(['organiser-elif']);
    expect(left).not.toHaveProperty('contactEmail');
    const partnerView = await hub.api('GET', '/api/me', { token: partner });
    expect(partnerView.body.initiatives.map((item: { id: string }) => item.id)).toContain(shared.id);

    // The ballot stays counted; the Idempotency-Key's answer is gone.
    expect((await hub.api('GET', `/api/polls/${pollId}/results`)).body).toEqual(tallyBefore);
    const { Item: record } = await client.send(
      new GetCommand({ TableName: hub.tableName, Key: keys.idempotency('resident-beylikduzu', key) }),
    );
    expect(record).toBeUndefined();

    const { Item: reportItem } = await client.send(
      new GetCommand({ TableName: hub.tableName, Key: keys.report(report.body.id), ConsistentRead: true }),
    );
    expect(reportItem?.data).toMatchObject({ id: report.body.id, reporterId: 'deleted-account' });
    const { Item: reportIndex } = await client.send(
      new GetCommand({ TableName: hub.tableName, Key: keys.reportBy('resident-beylikduzu', report.body.id) }),
    );
    expect(reportIndex).toBeUndefined();

    // The account: its token is refused and it gets no new one.
    expect((await hub.api('GET', '/api/me', { token: leaving })).status).toBe(401);
    expect((await hub.api('GET', '/api/me/export', { token: leaving })).status).toBe(401);
    expect((await hub.api('POST', '/dev/token', { body: { user: 'resident-beylikduzu' } })).status).toBe(404);

    // The deletion is on the bus, with nothing about whom.
    const events =
      hub.bus.archive?.eventsBetween(new Date(Date.now() - 60_000), new Date(Date.now() + 1000)) ?? [];
    const accountDeleted = events.filter((event) => event['detail-type'] === 'AccountDeleted');
    expect(accountDeleted).toHaveLength(1);
    const text = JSON.stringify(accountDeleted);
    for (const personal of ['resident-beylikduzu', 'ayse@example.org', 'Ayşe Demir']) {
      expect(text).not.toContain(personal);
    }
    expect(accountDeleted[0]?.detail).toMatchObject({ data: { initiativesArchived: 1, initiativesLeft: 1 } });
  });

  it('spreads a large account over several transactions of at most 100 items, and finishes them all', async () => {
    // Prepare: 40 initiatives owned alone (3 writes each: 120 items, more than one transaction holds).
    const userId = `resident-${randomUUID()}`;
    const token = await hub.token(userId, { municipalityId: 'beylikduzu', neighbourhoodId: 'yakuplu' });
    const repository = new DynamoInitiativeRepository(client, hub.tableName);
    const owned = Array.from({ length: 40 }, (_, index) =>
      initiativeOf([userId], `Sokak bahçesi ${index + 1}`),
    );
    for (const initiative of owned) await repository.create(initiative, { events: [] });
    expect((await hub.api('GET', '/api/me', { token })).body.initiatives).toHaveLength(40);

    // Act
    const deleted = await hub.api('DELETE', '/api/me', { token });

    // Assess
    expect(deleted.body).toEqual({ deleted: true, initiativesArchived: 40, initiativesLeft: 0 });
    const after = await Promise.all(owned.map((initiative) => stored(initiative.id)));
    expect(after.every((initiative) => initiative.status === 'archived')).toBe(true);
    expect(after.every((initiative) => initiative.owners.join() === 'deleted-account')).toBe(true);
    await hub.settle();
  });
});
