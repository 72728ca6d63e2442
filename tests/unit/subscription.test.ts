import { describe, expect, it } from 'vitest';
import {
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../shared/domain/errors.ts';
import type { Municipality } from '../../shared/domain/municipality.ts';
import {
  CreateSubscriptionSchema,
  filterPattern,
  UpdateSubscriptionSchema,
} from '../../shared/domain/subscription.ts';
import {
  createSubscription,
  markFailingIfDue,
  seeChannelItem,
  updateSubscription,
} from '../../shared/domain/subscription-decisions.ts';
import { matchesPattern } from '../../shared/events/pattern.ts';

const amsterdam: Municipality = {
  id: 'amsterdam',
  name: 'Amsterdam',
  country: 'NL',
  locales: ['nl'],
  neighbourhoods: [
    { id: 'bos-en-lommer', name: 'Bos en Lommer', postcodes: [] },
    { id: 'oud-west', name: 'Oud-West', postcodes: [] },
  ],
};
const staff = { userId: 'staff', name: 'Staff', staffOf: ['amsterdam'], isPlatformAdmin: false };
const otherStaff = { ...staff, userId: 'other', staffOf: ['ieper'] };
const context = (actor: typeof staff | undefined = staff) => ({
  actor,
  now: new Date('2026-05-01T10:00:00.000Z'),
  newId: () => '01J0000000000000000000000S',
});
const event = (detailType: string, neighbourhoodId?: string) => ({
  source: 'plein.initiatives',
  'detail-type': detailType,
  detail: { municipalityId: 'amsterdam', ...(neighbourhoodId ? { neighbourhoodId } : {}) },
});

describe('a subscription filter as an EventBridge pattern', () => {
  it('matches the chosen types in the chosen neighbourhoods, and municipality-wide events of those types', () => {
    const pattern = filterPattern({ eventTypes: ['InitiativeRegistered'], neighbourhoodIds: ['oud-west'] });
    expect(matchesPattern(pattern, event('InitiativeRegistered', 'oud-west'))).toBe(true);
    expect(matchesPattern(pattern, event('InitiativeRegistered'))).toBe(true);
    expect(matchesPattern(pattern, event('InitiativeRegistered', 'bos-en-lommer'))).toBe(false);
    expect(matchesPattern(pattern, event('InitiativeUpdated', 'oud-west'))).toBe(false);
  });

  it('matches every Plein event when nothing is chosen', () => {
    const pattern = filterPattern({ eventTypes: [], neighbourhoodIds: [] });
    expect(matchesPattern(pattern, event('PollClosed', 'oud-west'))).toBe(true);
    expect(matchesPattern(pattern, { ...event('X'), source: 'aws.s3' })).toBe(false);
  });
});

describe('subscription decisions', () => {
  const webhook = CreateSubscriptionSchema.parse({
    kind: 'webhook',
    url: 'https://hooks.example.org/plein',
    eventTypes: ['InitiativeRegistered', 'InitiativeRegistered'],
    neighbourhoodIds: ['oud-west'],
  });

  it('lets staff of the municipality subscribe, and no one else', () => {
    expect(createSubscription(amsterdam, webhook, context())).toMatchObject({
      status: 'active',
      eventTypes: ['InitiativeRegistered'],
      url: 'https://hooks.example.org/plein',
      revision: 0,
    });
    expect(() => createSubscription(amsterdam, webhook, context(otherStaff))).toThrow(ForbiddenError);
    expect(() => createSubscription(amsterdam, webhook, { ...context(), actor: undefined })).toThrow(
      UnauthenticatedError,
    );
  });

  it('refuses event types outside the catalog and neighbourhoods of another municipality', () => {
    expect(
      CreateSubscriptionSchema.safeParse({ kind: 'email', address: 'a@b.nl', eventTypes: ['BallotCast'] })
        .success,
    ).toBe(false);
    const command = CreateSubscriptionSchema.parse({
      kind: 'email',
      address: 'a@b.nl',
      neighbourhoodIds: ['zillebeke'],
    });
    expect(() => createSubscription(amsterdam, command, context())).toThrow(ValidationError);
  });

  it('changes only the address its kind has, and pausing is a status change', () => {
    const subscription = createSubscription(amsterdam, webhook, context());
    expect(() =>
      updateSubscription(
        amsterdam,
        subscription,
        UpdateSubscriptionSchema.parse({ address: 'a@b.nl' }),
        context(),
      ),
    ).toThrow(ValidationError);
    const paused = updateSubscription(
      amsterdam,
      subscription,
      UpdateSubscriptionSchema.parse({ status: 'paused' }),
      context(),
    );
    expect(paused).toMatchObject({ status: 'paused', revision: 1 });
  });

  it('hides a subscription from everyone but its staff behind a 404', () => {
    const subscription = createSubscription(amsterdam, webhook, context());
    expect(seeChannelItem(staff, subscription, 'no')).toBe(subscription);
    expect(() => seeChannelItem(otherStaff, subscription, 'no')).toThrow(NotFoundError);
    expect(() => seeChannelItem(undefined, subscription, 'no')).toThrow(UnauthenticatedError);
  });

  it('marks a channel failing once it has failed for the whole period, with one SubscriptionFailing', () => {
    const subscription = createSubscription(amsterdam, webhook, context());
    const clock = { newId: () => '01J0000000000000000000000E', failingAfterMs: 86_400_000 };
    const health = { failingSince: '2026-05-01T10:00:00.000Z', lastError: 'HTTP 500' };
    expect(
      markFailingIfDue(subscription, health, { ...clock, now: new Date('2026-05-02T09:59:59.000Z') }),
    ).toBeUndefined();
    const decision = markFailingIfDue(subscription, health, {
      ...clock,
      now: new Date('2026-05-02T10:00:00.000Z'),
    });
    expect(decision?.state.status).toBe('failing');
    expect(decision?.events.map((e) => [e.source, e.detailType, e.detail.data])).toEqual([
      [
        'plein.channels',
        'SubscriptionFailing',
        {
          subscriptionId: subscription.id,
          kind: 'webhook',
          description: '',
          failingSince: health.failingSince,
          lastError: 'HTTP 500',
        },
      ],
    ]);
    const failing = decision?.state ?? subscription;
    expect(
      markFailingIfDue(failing, health, { ...clock, now: new Date('2026-05-03T00:00:00.000Z') }),
    ).toBeUndefined();
  });
});
