import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { format } from 'node:util';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers } from '../../infra/local/dev-identity.ts';
import { lambdaContext } from '../../infra/local/lambda.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

/**
 * Everything the hub and its handlers write to the console or to stdout and stderr, and the hub's own
 * log lines, captured while a broad journey runs: not one name, email address or account id of a person
 * may be in it.
 */
const captured: string[] = [];
const restore: (() => void)[] = [];

function capture() {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      captured.push(format(...args));
    };
    restore.push(() => {
      console[method] = original;
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original;
    });
  }
}

let hub: TestHub;
let receiver: Server;
let receiverCalls = 0;
const minted = `resident-${randomUUID()}`;
const leaving = `resident-${randomUUID()}`;

beforeAll(async () => {
  // A webhook receiver that fails its first call, so the dispatcher logs a failure and retries.
  receiver = createServer((request, response) => {
    request.resume();
    receiverCalls += 1;
    response.statusCode = receiverCalls === 1 ? 500 : 204;
    response.end(receiverCalls === 1 ? 'receiver down for organiser-noor noor@example.org' : undefined);
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  capture();
  hub = await startTestHub({
    log: (line) => captured.push(line),
    channels: { dispatchIntervalMs: 25, retryScheduleMs: [100, 100, 100], failingAfterMs: 60_000 },
  });
});
afterAll(async () => {
  await hub.stop();
  for (const undo of restore.reverse()) undo();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe('logs carry no personal data', () => {
  it('names no demo user by id, email or name across a whole journey, errors included', async () => {
    // Prepare
    const [noor, pieter, staff, resident] = await Promise.all(
      ['organiser-noor', 'organiser-pieter', 'staff-amsterdam', 'resident-amsterdam'].map((user) =>
        hub.token(user),
      ),
    );
    const neighbour = await hub.token(minted, {
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
    });
    const departing = await hub.token(leaving, {
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
    });
    const port = (receiver.address() as { port: number }).port;
    const expectStatus = async (response: Promise<{ status: number; body: unknown }>, status: number) => {
      const answer = await response;
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      return answer.body as { id: string; status?: string };
    };

    // Act: channels first, so every later event is delivered (and a webhook fails once).
    await expectStatus(
      hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
        token: staff,
        body: { kind: 'webhook', url: `http://127.0.0.1:${port}/hook` },
      }),
      201,
    );
    await expectStatus(
      hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
        token: staff,
        body: { kind: 'email', address: 'sanne@amsterdam.example' },
      }),
      201,
    );
    // Initiatives: register, edit.
    const initiative = await expectStatus(
      hub.api('POST', '/api/initiatives', {
        token: noor,
        headers: { 'idempotency-key': `journey-${randomUUID()}` },
        body: {
          name: 'Repair café Noor',
          summary: 'Noor Bakker repareert samen met buren kapotte spullen.',
          municipalityId: 'amsterdam',
          neighbourhoodId: 'bos-en-lommer',
          language: 'nl',
          contactEmail: 'noor@example.org',
        },
      }),
      201,
    );
    await expectStatus(
      hub.api('PATCH', `/api/initiatives/${initiative.id}`, {
        token: noor,
        body: { description: 'Elke zaterdag, vraag naar Noor (noor@example.org).' },
      }),
      200,
    );
    // Facilitation: request, offer, accept, deliver.
    const request = await expectStatus(
      hub.api('POST', `/api/initiatives/${initiative.id}/requests`, {
        token: noor,
        body: { kind: 'space', text: 'Een ruimte op zaterdag.' },
      }),
      201,
    );
    const offer = await expectStatus(
      hub.api('POST', `/api/initiatives/${initiative.id}/offers`, {
        token: staff,
        body: { kind: 'space', text: 'Het buurthuis, zaterdagochtend.', requestId: request.id },
      }),
      201,
    );
    await expectStatus(hub.api('POST', `/api/offers/${offer.id}/accept`, { token: noor }), 200);
    await expectStatus(hub.api('POST', `/api/offers/${offer.id}/deliver`, { token: staff }), 200);
    // Polls: create, open, vote (two residents), close.
    const poll = await expectStatus(
      hub.api('POST', '/api/polls', {
        token: staff,
        body: {
          owner: { kind: 'municipality', municipalityId: 'amsterdam' },
          language: 'nl',
          question: 'Welke dag past het repair café?',
          options: ['Zaterdag', 'Zondag'],
          audience: { scope: 'municipality' },
          opensAt: new Date(Date.now() + 3_600_000).toISOString(),
          closesAt: new Date(Date.now() + 7_200_000).toISOString(),
        },
      }),
      201,
    );
    await expectStatus(hub.api('POST', `/api/polls/${poll.id}/open`, { token: staff }), 200);
    for (const voter of [resident, neighbour]) {
      const cast = await hub.api('PUT', `/api/polls/${poll.id}/ballot`, {
        token: voter,
        body: { choices: ['o1'] },
      });
      expect(cast.status).toBeLessThan(300);
    }
    await expectStatus(hub.api('POST', `/api/polls/${poll.id}/close`, { token: staff }), 200);
    // Errors: invalid input that echoes personal data, a stranger's edit, a forged token, a reused key.
    await expectStatus(
      hub.api('POST', '/api/initiatives', {
        token: noor,
        body: { name: 'N', contactEmail: 'noor@example.org is mijn adres', owners: ['organiser-noor'] },
      }),
      400,
    );
    await expectStatus(
      hub.api('PATCH', `/api/initiatives/${initiative.id}`, { token: pieter, body: { name: 'Van Pieter' } }),
      403,
    );
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ name: 'Noor Bakker', email: 'noor@example.org' })
      .setProtectedHeader({ alg: 'RS256', kid: 'plein-dev-1' })
      .setSubject('organiser-noor')
      .setIssuer(hub.url)
      .setAudience('plein-local')
      .setExpirationTime('1h')
      .sign(privateKey);
    await expectStatus(hub.api('GET', '/api/me', { token: forged }), 401);
    await expectStatus(hub.api('POST', `/api/offers/${offer.id}/accept`, { token: noor }), 409);
    // A crash inside a handler: an event without its request context, with a personal token in it.
    const { handler } = await import('../../functions/http/me.ts');
    const crashed = await handler(
      { headers: { authorization: `Bearer ${noor}` }, body: '{"email":"noor@example.org"}' } as never,
      lambdaContext('plein-me'),
    );
    expect(crashed).toMatchObject({ statusCode: 500 });
    // A person exports their data and deletes their account.
    await expectStatus(hub.api('GET', '/api/me/export', { token: noor }), 200);
    await expectStatus(hub.api('DELETE', '/api/me', { token: departing }), 200);
    await expectStatus(hub.api('GET', '/api/me', { token: departing }), 401);
    await hub.settle();
    await expect.poll(() => receiverCalls, { timeout: 10_000 }).toBeGreaterThan(1);
    await hub.settle();

    // Assess: something was captured (so the test can fail): the crash and the deliveries' tries.
    const text = captured.join('\n');
    expect(text).toContain('unhandled error');
    expect(text).toContain('delivery tried');
    expect(text).toMatch(/POST \/api\/initiatives 201/);
    const personal = [
      ...demoUsers.flatMap((user) => [user.email, user.name, ...(user.id === 'admin' ? [] : [user.id])]),
      minted,
      leaving,
      'Noor',
      'Bakker',
    ];
    const found = personal.filter((value) => text.toLowerCase().includes(value.toLowerCase()));
    expect(found).toEqual([]);
  });
});
