import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '#functions/adapters/dynamodb/client.ts';
import { keys } from '#functions/adapters/dynamodb/keys.ts';
import { DynamoRateLimiter } from '#functions/adapters/dynamodb/rate-limits.ts';
import { MAX_BODY_BYTES } from '#functions/http/route.ts';
import type { RateLimitPolicyInput } from '#shared/domain/rate-limit.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;

const generous = { limit: 100_000, windowSeconds: 60 };
/** The handlers read RATE_LIMITS on each write, so each test sets the budgets it is about. */
const setLimits = (policy: RateLimitPolicyInput) => {
  process.env.RATE_LIMITS = JSON.stringify({
    perUser: generous,
    perSourceIp: generous,
    coolDown: { seconds: 0 },
    ...policy,
  });
};

const initiative = () => ({
  name: `Buurtmoestuin ${randomUUID().slice(0, 8)}`,
  summary: 'Samen groenten kweken op het braakliggende veldje achter de school.',
  municipalityId: 'amsterdam',
  neighbourhoodId: 'bos-en-lommer',
  language: 'nl',
});
const newResident = () =>
  hub.token(`resident-${randomUUID()}`, { municipalityId: 'amsterdam', neighbourhoodId: 'bos-en-lommer' });
const register = (token: string) => hub.api('POST', '/api/initiatives', { token, body: initiative() });

/** A registration sent from another loopback address: the local server reads the socket's address as API Gateway reads the caller's. */
function registerFrom(localAddress: string, token: string) {
  const body = JSON.stringify(initiative());
  return new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    const outgoing = request(
      `${hub.url}/api/initiatives`,
      {
        method: 'POST',
        localAddress,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.stop());

describe('per-account budget', () => {
  it('answers 429 with Retry-After once an account has used its budget, and changes nothing', async () => {
    // Prepare
    setLimits({ perUser: { limit: 3, windowSeconds: 60 } });
    const [resident, other] = await Promise.all([newResident(), newResident()]);
    for (let i = 0; i < 3; i++) expect((await register(resident)).status).toBe(201);
    const before = await hub.snapshot({ rateCounters: true });
    // Act
    const refused = await register(resident);
    // Assess
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ status: 429, title: 'Too many requests' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(30);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-policy')).toBe('"user";q=3;w=60');
    expect(refused.headers.get('ratelimit')).toBe(`"user";r=0;t=${retryAfter}`);
    // Nothing written, not even a count: a refused write does not lengthen the wait.
    expect(await hub.snapshot({ rateCounters: true })).toEqual(before);
    // Another account is not held back.
    expect((await register(other)).status).toBe(201);
  });

  it('lets the account write again once the window has passed', async () => {
    // Prepare: a short window keeps the wait short.
    setLimits({ perUser: { limit: 1, windowSeconds: 3 } });
    const resident = await newResident();
    expect((await register(resident)).status).toBe(201);
    const refused = await register(resident);
    expect(refused.status).toBe(429);
    // Act
    await new Promise((resolve) =>
      setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000 + 50),
    );
    const again = await register(resident);
    // Assess
    expect(again.status).toBe(201);
  });
});

describe('the counters in DynamoDB', () => {
  it('let exactly limit writes into a window however many arrive at once, and charge none of a refused write', async () => {
    // Prepare
    const client = createDocumentClient({ tableName: hub.tableName, endpoint: hub.endpoint });
    const limiter = new DynamoRateLimiter(client, hub.tableName);
    const id = randomUUID();
    const budget = { limit: 10, windowSeconds: 60 };
    const tight = { name: 'user', id: `user:${id}`, budget };
    const roomy = { name: 'ip', id: `ip:${id}`, budget: { limit: 1_000, windowSeconds: 60 } };
    // Act
    const decisions = await Promise.all(
      Array.from({ length: 30 }, () => limiter.take([roomy, tight], new Date())),
    );
    // Assess
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
    const { Item: roomyItem } = await client.send(
      new GetCommand({ TableName: hub.tableName, Key: keys.rateCounter(roomy.id), ConsistentRead: true }),
    );
    expect(roomyItem?.count).toBe(10);
    expect(roomyItem?.ttl).toBeGreaterThan(Date.now() / 1000 + 60);
    client.destroy();
  });
});

describe('per-address budget', () => {
  it('answers 429 to the next account writing from an address that used its budget; other addresses go on', async () => {
    // Prepare
    setLimits({ perSourceIp: { limit: 2, windowSeconds: 60 } });
    const [first, second, third] = await Promise.all([newResident(), newResident(), newResident()]);
    expect((await registerFrom('127.0.0.2', first)).status).toBe(201);
    expect((await registerFrom('127.0.0.2', second)).status).toBe(201);
    // Act
    const refused = await registerFrom('127.0.0.2', third);
    const elsewhere = await registerFrom('127.0.0.3', third);
    // Assess
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(30);
    expect(refused.headers['ratelimit-policy']).toBe('"ip";q=2;w=60');
    expect(elsewhere.status).toBe(201);
  });

  it('never limits reads', async () => {
    // Prepare
    setLimits({ perSourceIp: { limit: 1, windowSeconds: 60 }, perUser: { limit: 1, windowSeconds: 60 } });
    // Act
    const statuses = await Promise.all(
      Array.from({ length: 5 }, async () => (await hub.api('GET', '/api/initiatives?limit=1')).status),
    );
    // Assess
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('cool-down of new accounts', () => {
  const coolDown = {
    seconds: 3_600,
    perUser: { limit: 3, windowSeconds: 3_600 },
    perOperation: { registerInitiative: { limit: 1, windowSeconds: 86_400 } },
    exempt: ['castBallot'],
  };

  it('lets a new account register one initiative, and says why the second waits', async () => {
    // Prepare
    setLimits({ coolDown });
    const resident = await newResident();
    expect((await register(resident)).status).toBe(201);
    // Act
    const second = await register(resident);
    // Assess
    expect(second.status).toBe(429);
    expect(second.body.detail).toMatch(/new account/);
    expect(second.headers.get('ratelimit-policy')).toBe('"new-account:registerInitiative";q=1;w=86400');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(86_000);
  });

  it('lets a new resident vote and change their vote as often as the poll allows', async () => {
    // Prepare
    setLimits({ coolDown });
    const staff = await hub.token('staff-amsterdam');
    const poll = await hub.api('POST', '/api/polls', {
      token: staff,
      body: {
        owner: { kind: 'municipality', municipalityId: 'amsterdam' },
        language: 'nl',
        question: 'Welke boom komt op het plein?',
        options: ['Linde', 'Esdoorn'],
        audience: { scope: 'municipality' },
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(poll.status).toBe(201);
    const resident = await newResident();
    // Act: more ballots than a new account's write budget (3)
    const statuses: number[] = [];
    for (const choice of ['o1', 'o2', 'o1', 'o2', 'o1']) {
      statuses.push(
        (
          await hub.api('PUT', `/api/polls/${poll.body.id}/ballot`, {
            token: resident,
            body: { choices: [choice] },
          })
        ).status,
      );
    }
    // Assess
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const results = await hub.api('GET', `/api/polls/${poll.body.id}/results`);
    expect(results.body.ballots).toBe(1);
  });

  it('holds back neither accounts first seen before the cool-down nor a municipality’s staff', async () => {
    // Prepare
    setLimits({ coolDown });
    const user = `resident-${randomUUID()}`;
    const veteran = await hub.token(user, { municipalityId: 'amsterdam', neighbourhoodId: 'bos-en-lommer' });
    const client = createDocumentClient({ tableName: hub.tableName, endpoint: hub.endpoint });
    await client.send(
      new PutCommand({
        TableName: hub.tableName,
        Item: {
          ...keys.accountFirstSeen(user),
          firstSeenAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
        },
      }),
    );
    client.destroy();
    const staff = await hub.token('staff-ieper');
    // Act
    const veteranStatuses = [(await register(veteran)).status, (await register(veteran)).status];
    const staffStatuses = [(await register(staff)).status, (await register(staff)).status];
    // Assess
    expect(veteranStatuses).toEqual([201, 201]);
    expect(staffStatuses).toEqual([201, 201]);
  });
});

describe('request size and page size', () => {
  it(`refuses a body above ${MAX_BODY_BYTES} bytes with 413 problem+json, changing nothing`, async () => {
    // Prepare
    setLimits({});
    const resident = await newResident();
    const before = await hub.snapshot();
    const huge = JSON.stringify({ ...initiative(), summary: 'x'.repeat(MAX_BODY_BYTES) });
    // Act
    const refused = await hub.api('POST', '/api/initiatives', { token: resident, body: huge });
    // Assess
    expect(refused.status).toBe(413);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ status: 413 });
    expect(await hub.snapshot()).toEqual(before);
  });

  it.each(['/api/initiatives', '/api/polls'])(
    'answers 400 naming limit to a page size above 100 on %s',
    async (path) => {
      // Act
      const tooMany = await hub.api('GET', `${path}?limit=101`);
      const zero = await hub.api('GET', `${path}?limit=0`);
      // Assess
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.errors).toEqual([{ path: 'limit', message: expect.any(String) }]);
      expect(zero.status).toBe(400);
      expect(zero.body.errors.map((error: { path: string }) => error.path)).toEqual(['limit']);
    },
  );
});
