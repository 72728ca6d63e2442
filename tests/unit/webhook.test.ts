import type { LookupAddress } from 'node:dns';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { guardedLookup, postWebhook, signedHeaders } from '../../functions/adapters/channels/webhook.ts';
import { outcomeOfStatus, webhookPayload } from '../../shared/domain/delivery.ts';

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const event = {
  source: 'plein.initiatives',
  detailType: 'InitiativeArchived',
  detail: {
    eventId: '01J0000000000000000000000A',
    occurredAt: '2026-05-01T10:00:00.000Z',
    data: { name: 'x' },
  },
};

describe('Standard Webhooks signing', () => {
  it('signs so that the standardwebhooks library verifies, with the delivery id as webhook-id', () => {
    // Prepare
    const body = webhookPayload(event);
    // Act
    const headers = signedHeaders('dlv_1', secret, body, new Date());
    // Assess
    expect(headers['webhook-id']).toBe('dlv_1');
    expect(new Webhook(secret).verify(body, headers)).toEqual({
      type: 'InitiativeArchived',
      timestamp: '2026-05-01T10:00:00.000Z',
      data: event.detail,
    });
  });

  it('is refused with another secret or a changed body', () => {
    const body = webhookPayload(event);
    const headers = signedHeaders('dlv_1', secret, body, new Date());
    const other = `whsec_${Buffer.from('fedcba9876543210fedcba9876543210').toString('base64')}`;
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('x', 'y'), headers)).toThrow();
  });
});

describe('the guarded lookup (DNS rebinding)', () => {
  const lookupWith = (addresses: LookupAddress[]) =>
    new Promise<{ error: Error | null; address: unknown }>((resolve) =>
      guardedLookup(async () => addresses)('hooks.example.org', {}, (error, address) =>
        resolve({ error, address }),
      ),
    );

  it('refuses to connect when the name now resolves to the metadata service', async () => {
    const result = await lookupWith([{ address: '169.254.169.254', family: 4 }]);
    expect(result.error?.message).toMatch(/169\.254\.169\.254.*not a public address/);
  });

  it('connects to a public address', async () => {
    const result = await lookupWith([{ address: '93.184.215.14', family: 4 }]);
    expect(result).toEqual({ error: null, address: '93.184.215.14' });
  });

  it('answers every address when asked for all, and refuses if any is private', async () => {
    const all = await new Promise<unknown>((resolve) =>
      guardedLookup(async () => [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ])('hooks.example.org', { all: true }, (_error, addresses) => resolve(addresses)),
    );
    expect(all).toHaveLength(2);
    const mixed = await lookupWith([
      { address: '93.184.215.14', family: 4 },
      { address: 'fd00:ec2::254', family: 6 },
    ]);
    expect(mixed.error).toBeInstanceOf(Error);
  });
});

describe('redirects (SSRF)', () => {
  /** A loopback server that counts the connections it gets and answers each request with `answer`. */
  async function server(answer: (response: ServerResponse) => void) {
    const listening = createServer((_request, response) => answer(response));
    let connections = 0;
    listening.on('connection', () => connections++);
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    return {
      port: (listening.address() as AddressInfo).port,
      connections: () => connections,
      close: () => new Promise<void>((resolve) => listening.close(() => resolve())),
    };
  }
  const redirectTo = (location: string) => (response: ServerResponse) =>
    response.writeHead(302, { location }).end();
  /** Resolves the receiver's name to loopback and records every name the client looks up. */
  function recordingLookup() {
    const names: string[] = [];
    const lookup = ((hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
      names.push(hostname);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    }) as unknown as LookupFunction;
    return { names, lookup };
  }
  const post = (url: string, lookup: LookupFunction) =>
    postWebhook({ url, id: 'dlv_1', secret, body: webhookPayload(event), timeoutMs: 2_000, lookup });

  it('does not follow a receiver that redirects to the metadata service: the delivery fails with the 302', async () => {
    // Prepare
    const receiver = await server(
      redirectTo('http://169.254.169.254/latest/meta-data/iam/security-credentials/'),
    );
    const { names, lookup } = recordingLookup();
    // Act
    const started = performance.now();
    const answer = await post(`http://receiver.test:${receiver.port}/hook`, lookup);
    const elapsed = performance.now() - started;
    await receiver.close();
    // Assess
    expect(answer.status).toBe(302);
    expect(outcomeOfStatus(answer.status)).toMatchObject({ ok: false, retry: true, error: 'HTTP 302' });
    expect(names).toEqual(['receiver.test']);
    // Answered by the receiver, not after trying 169.254.169.254 until the timeout.
    expect(elapsed).toBeLessThan(1_000);
    expect(receiver.connections()).toBe(1);
  });

  it('does not follow a redirect to a private address: nothing connects there', async () => {
    // Prepare: the second server stands in for a host on the private network.
    const internal = await server((response) => response.writeHead(200).end('secret'));
    const receiver = await server(redirectTo(`http://internal.test:${internal.port}/admin`));
    const { names, lookup } = recordingLookup();
    // Act
    const answer = await post(`http://receiver.test:${receiver.port}/hook`, lookup);
    await Promise.all([receiver.close(), internal.close()]);
    // Assess
    expect(answer.status).toBe(302);
    expect(answer.excerpt).not.toContain('secret');
    expect(names).toEqual(['receiver.test']);
    expect(internal.connections()).toBe(0);
  });
});
