import type { LookupAddress } from 'node:dns';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { guardedLookup, signedHeaders } from '../../functions/adapters/channels/webhook.ts';
import { webhookPayload } from '../../shared/domain/delivery.ts';

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
