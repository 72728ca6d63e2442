import { describe, expect, it } from 'vitest';
import type { Actor } from '#shared/domain/actor.ts';
import {
  countersFor,
  defaultRateLimitPolicy,
  isInCoolDown,
  RateLimitPolicySchema,
} from '#shared/domain/rate-limit.ts';

const now = new Date('2026-11-24T12:00:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
const resident: Actor = { userId: 'u1', name: 'Resident', staffOf: [], isPlatformAdmin: false };
const staff: Actor = { ...resident, userId: 's1', staffOf: ['amsterdam'] };
const names = (attempt: Parameters<typeof countersFor>[1]) =>
  countersFor(defaultRateLimitPolicy, attempt).map((counter) => counter.name);

describe('rate-limit policy', () => {
  it('charges an anonymous write to its address only, a signed-in one to its account too', () => {
    // Act
    const anonymous = names({ operationId: 'x', sourceIp: '192.0.2.1', actor: undefined, now });
    const signedIn = names({
      operationId: 'x',
      sourceIp: '192.0.2.1',
      actor: resident,
      firstSeenAt: hoursAgo(48),
      now,
    });
    // Assess
    expect(anonymous).toEqual(['ip']);
    expect(signedIn).toEqual(['ip', 'user']);
  });

  it('gives an account in its first day a budget of its own and one registration, but not for ballots', () => {
    // Prepare
    const attempt = { sourceIp: '192.0.2.1', actor: resident, firstSeenAt: hoursAgo(2), now };
    // Act
    const registration = countersFor(defaultRateLimitPolicy, {
      ...attempt,
      operationId: 'registerInitiative',
    });
    const ballot = names({ ...attempt, operationId: 'castBallot' });
    // Assess
    expect(registration.map((counter) => [counter.name, counter.budget])).toEqual([
      ['ip', { limit: 120, windowSeconds: 60 }],
      ['user', { limit: 30, windowSeconds: 60 }],
      ['new-account', { limit: 10, windowSeconds: 3_600 }],
      ['new-account:registerInitiative', { limit: 1, windowSeconds: 86_400 }],
    ]);
    expect(ballot).toEqual(['ip', 'user']);
  });

  it('ends the cool-down after its seconds and never applies it to staff', () => {
    // Act
    const staffNames = names({
      operationId: 'registerInitiative',
      sourceIp: '::1',
      actor: staff,
      firstSeenAt: hoursAgo(1),
      now,
    });
    // Assess
    expect(isInCoolDown(defaultRateLimitPolicy, hoursAgo(23.9), now)).toBe(true);
    expect(isInCoolDown(defaultRateLimitPolicy, hoursAgo(24), now)).toBe(false);
    expect(staffNames).toEqual(['ip', 'user']);
  });

  it('fills the defaults around a partial policy and refuses a nonsensical one', () => {
    // Act
    const partial = RateLimitPolicySchema.parse({
      perUser: { limit: 5, windowSeconds: 10 },
      coolDown: { seconds: 0 },
    });
    const invalid = RateLimitPolicySchema.safeParse({ perSourceIp: { limit: 0, windowSeconds: 60 } });
    // Assess
    expect(partial.perUser).toEqual({ limit: 5, windowSeconds: 10 });
    expect(partial.perSourceIp).toEqual(defaultRateLimitPolicy.perSourceIp);
    expect(partial.coolDown.exempt).toEqual(['castBallot']);
    expect(invalid.success).toBe(false);
    expect(isInCoolDown(partial, hoursAgo(0), now)).toBe(false);
  });
});
