import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/domain/actor.ts';
import { actorFromClaims } from '../../shared/domain/actor.ts';
import { slugify } from '../../shared/domain/common.ts';
import {
  ConflictError,
  ForbiddenError,
  UnauthenticatedError,
  ValidationError,
} from '../../shared/domain/errors.ts';
import { RegisterInitiativeSchema } from '../../shared/domain/initiative.ts';
import {
  archiveInitiative,
  fallbackSlug,
  registerInitiative,
  updateInitiative,
} from '../../shared/domain/initiative-decisions.ts';
import type { Municipality } from '../../shared/domain/municipality.ts';

const ieper: Municipality = {
  id: 'ieper',
  name: 'Ieper',
  country: 'BE',
  locales: ['nl'],
  neighbourhoods: [{ id: 'centrum', name: 'Centrum', postcodes: ['8900'] }],
};
const owner: Actor = { userId: 'u-owner', name: 'Owner', staffOf: [], isPlatformAdmin: false };
const stranger: Actor = { userId: 'u-stranger', name: 'Stranger', staffOf: ['ieper'], isPlatformAdmin: true };
const now = new Date('2026-05-01T10:00:00.000Z');
const context = (actor: Actor | undefined) => ({ actor, now, newId: monotonicFactory(() => 0.5) });
const command = RegisterInitiativeSchema.parse({
  name: 'Moestuin op de Vesten',
  summary: 'Samen groenten kweken bij de vestingmuur.',
  municipalityId: 'ieper',
  neighbourhoodId: 'centrum',
  language: 'nl',
  contactEmail: 'tuin@example.org',
  activities: [{ title: 'Zaaidag', startsAt: '2026-05-10T09:00:00+02:00' }],
});

describe('registerInitiative', () => {
  it('publishes the initiative with the caller as its only owner and emits one event without private fields', () => {
    // Act
    const { state, events } = registerInitiative(command, ieper, context(owner));
    // Assess
    expect(state).toMatchObject({
      slug: 'moestuin-op-de-vesten',
      status: 'published',
      owners: ['u-owner'],
      revision: 0,
    });
    expect(state.activities[0]?.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'plein.initiatives', detailType: 'InitiativeRegistered' });
    expect(events[0]?.detail).toMatchObject({
      municipalityId: 'ieper',
      neighbourhoodId: 'centrum',
      occurredAt: now.toISOString(),
    });
    const serialized = JSON.stringify(events[0]);
    expect(serialized).not.toContain('u-owner');
    expect(serialized).not.toContain('tuin@example.org');
  });

  it('needs a signed-in caller', () => {
    expect(() => registerInitiative(command, ieper, context(undefined))).toThrow(UnauthenticatedError);
  });

  it('names the unknown municipality or the neighbourhood that is not its own', () => {
    expect(() => registerInitiative(command, undefined, context(owner))).toThrow(
      expect.objectContaining({
        issues: [{ path: 'municipalityId', message: 'unknown municipality "ieper"' }],
      }),
    );
    expect(() =>
      registerInitiative({ ...command, neighbourhoodId: 'zillebeke' }, ieper, context(owner)),
    ).toThrow(ValidationError);
  });

  it('falls back to a slug that carries the id when the name is taken', () => {
    const { state } = registerInitiative(command, ieper, context(owner));
    expect(fallbackSlug(state)).toBe(`moestuin-op-de-vesten-${state.id.slice(-6).toLowerCase()}`);
  });
});

describe('updateInitiative and archiveInitiative', () => {
  const registered = registerInitiative(command, ieper, context(owner)).state;

  it('lets owners only, not staff nor the platform admin: initiatives stay in charge', () => {
    expect(() =>
      updateInitiative(registered, { summary: 'Iets anders, door iemand anders.' }, ieper, context(stranger)),
    ).toThrow(ForbiddenError);
    expect(() => archiveInitiative(registered, context(stranger))).toThrow(ForbiddenError);
  });

  it('changes the fields given, bumps the revision and says what changed', () => {
    const { state, events } = updateInitiative(
      registered,
      { summary: 'Nieuwe samenvatting van de tuin.', contactEmail: null },
      ieper,
      context(owner),
    );
    expect(state.summary).toBe('Nieuwe samenvatting van de tuin.');
    expect(state).not.toHaveProperty('contactEmail');
    expect(state.revision).toBe(1);
    expect(events[0]?.detail.data).toMatchObject({ changed: ['contactEmail', 'summary'] });
  });

  it('archives once; an archived initiative cannot be changed or archived again', () => {
    const { state, events } = archiveInitiative(registered, context(owner));
    expect(state.status).toBe('archived');
    expect(events[0]?.detailType).toBe('InitiativeArchived');
    expect(() => archiveInitiative(state, context(owner))).toThrow(ConflictError);
    expect(() =>
      updateInitiative(state, { summary: 'Toch nog iets veranderen.' }, ieper, context(owner)),
    ).toThrow(ConflictError);
  });
});

describe('slugify', () => {
  it.each([
    ['Beylikdüzü Sokak Şenliği', 'beylikduzu-sokak-senligi'],
    ['Kavaklı Kitap Kulübü', 'kavakli-kitap-kulubu'],
    ["  Café 't Hoekje!! ", 'cafe-t-hoekje'],
    ['İstanbul', 'istanbul'],
    ['!!', 'initiative'],
  ])('%s → %s', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });
});

describe('actorFromClaims', () => {
  it('reads memberships from Cognito-style groups and residence from custom attributes', () => {
    const actor = actorFromClaims({
      sub: 'abc',
      name: 'Sanne',
      'cognito:groups': ['staff:amsterdam', 'admin', 'something-else'],
      'custom:municipality': 'amsterdam',
      'custom:neighbourhood': 'bos-en-lommer',
    });
    expect(actor).toEqual({
      userId: 'abc',
      name: 'Sanne',
      staffOf: ['amsterdam'],
      isPlatformAdmin: true,
      residence: { municipalityId: 'amsterdam', neighbourhoodId: 'bos-en-lommer' },
    });
  });
});
