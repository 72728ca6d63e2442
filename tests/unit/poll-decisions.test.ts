import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/domain/actor.ts';
import {
  ConflictError,
  ForbiddenError,
  UnauthenticatedError,
  ValidationError,
} from '../../shared/domain/errors.ts';
import type { Municipality } from '../../shared/domain/municipality.ts';
import { type CreatePoll, CreatePollSchema, type Poll } from '../../shared/domain/poll.ts';
import {
  closePoll,
  createPoll,
  decideBallot,
  type InitiativeOwnerFacts,
  openPoll,
  resultsOf,
  validateChoices,
} from '../../shared/domain/poll-decisions.ts';

const amsterdam: Municipality = {
  id: 'amsterdam',
  name: 'Amsterdam',
  country: 'NL',
  locales: ['nl', 'en'],
  neighbourhoods: [
    { id: 'bos-en-lommer', name: 'Bos en Lommer', postcodes: [] },
    { id: 'de-baarsjes', name: 'De Baarsjes', postcodes: [] },
  ],
};
const person = (userId: string, extra: Partial<Actor> = {}): Actor => ({
  userId,
  name: userId,
  staffOf: [],
  isPlatformAdmin: false,
  ...extra,
});
const staff = person('staff', { staffOf: ['amsterdam'] });
const otherStaff = person('other-staff', { staffOf: ['ieper'] });
const admin = person('admin', { isPlatformAdmin: true });
const organiser = person('organiser');
const initiative: InitiativeOwnerFacts = {
  id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
  municipalityId: 'amsterdam',
  owners: ['organiser'],
  status: 'published',
};

const now = new Date('2026-05-01T10:00:00.000Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const context = (actor: Actor | undefined, when = now) => ({
  actor,
  now: when,
  newId: monotonicFactory(() => 0.5),
});
const command = (overrides: Record<string, unknown> = {}): CreatePoll =>
  CreatePollSchema.parse({
    owner: { kind: 'municipality', municipalityId: 'amsterdam' },
    language: 'nl',
    question: 'Wat komt er op het plein?',
    options: ['Speeltuin', 'Moestuin', 'Markt'],
    audience: { scope: 'neighbourhoods', neighbourhoodIds: ['bos-en-lommer'] },
    opensAt: '2026-05-01T13:00:00+02:00',
    closesAt: '2026-05-08T12:00:00+02:00',
    ...overrides,
  });
const draft = (overrides: Record<string, unknown> = {}) =>
  createPoll(command(overrides), { municipality: amsterdam }, context(staff)).state;
const open = (overrides: Record<string, unknown> = {}) =>
  openPoll(draft(overrides), { by: 'schedule' }, context(undefined)).state;
const residentOf = (neighbourhoodId?: string, municipalityId = 'amsterdam') => ({
  municipalityId,
  ...(neighbourhoodId ? { neighbourhoodId } : {}),
});
const voter = person('voter');

describe('createPoll', () => {
  it('makes a draft with positional option ids, UTC times and one choice, and emits nothing', () => {
    // Act
    const { state, events } = createPoll(command(), { municipality: amsterdam }, context(staff));
    // Assess
    expect(state).toMatchObject({
      status: 'draft',
      municipalityId: 'amsterdam',
      options: [
        { id: 'o1', label: 'Speeltuin' },
        { id: 'o2', label: 'Moestuin' },
        { id: 'o3', label: 'Markt' },
      ],
      maxChoices: 1,
      opensAt: '2026-05-01T11:00:00.000Z',
      closesAt: '2026-05-08T10:00:00.000Z',
      revision: 0,
    });
    expect(events).toEqual([]);
  });

  it('opens at once, with PollOpened, when opensAt has come', () => {
    const { state, events } = createPoll(
      command({ opensAt: '2026-05-01T09:00:00Z' }),
      { municipality: amsterdam },
      context(staff),
    );
    expect(state).toMatchObject({ status: 'open', openedAt: now.toISOString() });
    expect(events.map((event) => [event.source, event.detailType])).toEqual([['plein.polls', 'PollOpened']]);
    expect(events[0]?.detail).toMatchObject({
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
    });
  });

  it("lets only the municipality's staff create its polls, and only an initiative's owners create the initiative's", () => {
    expect(() => createPoll(command(), { municipality: amsterdam }, context(otherStaff))).toThrow(
      ForbiddenError,
    );
    expect(() => createPoll(command(), { municipality: amsterdam }, context(admin))).toThrow(ForbiddenError);
    expect(() => createPoll(command(), { municipality: amsterdam }, context(undefined))).toThrow(
      UnauthenticatedError,
    );
    const initiativePoll = command({ owner: { kind: 'initiative', initiativeId: initiative.id } });
    expect(
      createPoll(initiativePoll, { municipality: amsterdam, initiative }, context(organiser)).state.owner,
    ).toEqual({
      kind: 'initiative',
      initiativeId: initiative.id,
    });
    expect(() => createPoll(initiativePoll, { municipality: amsterdam, initiative }, context(staff))).toThrow(
      ForbiddenError,
    );
  });

  it('names unknown references, a closing time in the past, and an archived initiative', () => {
    const issues = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as ValidationError).issues;
      }
      return [];
    };
    expect(
      issues(() =>
        createPoll(
          command({
            audience: { scope: 'neighbourhoods', neighbourhoodIds: ['bos-en-lommer', 'zillebeke'] },
          }),
          { municipality: amsterdam },
          context(staff),
        ),
      ),
    ).toEqual([{ path: 'audience.neighbourhoodIds.1', message: 'not a neighbourhood of Amsterdam' }]);
    expect(issues(() => createPoll(command(), { municipality: undefined }, context(staff)))).toEqual([
      { path: 'owner.municipalityId', message: 'unknown municipality "amsterdam"' },
    ]);
    expect(
      issues(() => createPoll(command(), { municipality: amsterdam }, context(staff, at(60 * 24 * 8)))),
    ).toEqual([{ path: 'closesAt', message: 'must be in the future' }]);
    const archived = { ...initiative, status: 'archived' as const };
    const initiativePoll = command({ owner: { kind: 'initiative', initiativeId: initiative.id } });
    expect(
      issues(() =>
        createPoll(initiativePoll, { municipality: amsterdam, initiative: archived }, context(organiser)),
      ),
    ).toHaveLength(1);
  });

  it('takes 2 to 20 distinct options, and a maximum for multiple choice only, up to the number of options', () => {
    const fails = (overrides: Record<string, unknown>) =>
      !CreatePollSchema.safeParse({ ...command(), ...overrides }).success;
    expect(fails({ options: ['Alleen dit'] })).toBe(true);
    expect(fails({ options: Array.from({ length: 21 }, (_, index) => `Optie ${index}`) })).toBe(true);
    expect(fails({ options: Array.from({ length: 20 }, (_, index) => `Optie ${index}`) })).toBe(false);
    expect(fails({ options: ['Markt', 'markt'] })).toBe(true);
    expect(fails({ choice: 'single', maxChoices: 2 })).toBe(true);
    expect(fails({ choice: 'multiple', maxChoices: 4 })).toBe(true);
    expect(fails({ closesAt: '2026-05-01T09:00:00Z' })).toBe(true);
    expect(draft({ choice: 'multiple' }).maxChoices).toBe(3);
    expect(draft({ choice: 'multiple', maxChoices: 2 }).maxChoices).toBe(2);
  });
});

describe('the state machine', () => {
  it('goes draft → open → closed, by the owner or the schedule, each step with its event', () => {
    // Act
    const opened = openPoll(draft(), { by: 'owner', owner: { municipalityId: 'amsterdam' } }, context(staff));
    const closed = closePoll(
      opened.state,
      { ballots: 2, counts: { o1: 2, o3: 1 } },
      { by: 'schedule' },
      context(undefined),
    );
    // Assess
    expect(opened.state).toMatchObject({ status: 'open', revision: 1 });
    expect(opened.events[0]?.detailType).toBe('PollOpened');
    expect(closed.state).toMatchObject({
      status: 'closed',
      revision: 2,
      closedAt: now.toISOString(),
      finalTally: { ballots: 2, counts: { o1: 2, o2: 0, o3: 1 } },
    });
    expect(closed.events[0]).toMatchObject({
      detailType: 'PollClosed',
      detail: { data: { ballots: 2, tally: { o1: 2, o2: 0, o3: 1 } } },
    });
  });

  it('never goes back, nor opens after its closing time; only the owner changes it by hand', () => {
    const closed = closePoll(
      open(),
      { ballots: 0, counts: {} },
      { by: 'schedule' },
      context(undefined),
    ).state;
    expect(() => openPoll(open(), { by: 'schedule' }, context(undefined))).toThrow(ConflictError);
    expect(() => openPoll(closed, { by: 'schedule' }, context(undefined))).toThrow(ConflictError);
    expect(() =>
      closePoll(closed, { ballots: 0, counts: {} }, { by: 'schedule' }, context(undefined)),
    ).toThrow(ConflictError);
    expect(() => openPoll(draft(), { by: 'schedule' }, context(undefined, at(60 * 24 * 7)))).toThrow(
      ConflictError,
    );
    const byOwner = { by: 'owner' as const, owner: { municipalityId: 'amsterdam' } };
    expect(() => openPoll(draft(), byOwner, context(otherStaff))).toThrow(ForbiddenError);
    expect(() => closePoll(open(), { ballots: 0, counts: {} }, byOwner, context(organiser))).toThrow(
      ForbiddenError,
    );
    const initiativeOwned = {
      by: 'owner' as const,
      owner: { municipalityId: 'amsterdam', initiativeOwners: ['organiser'] },
    };
    expect(openPoll(draft(), initiativeOwned, context(organiser)).state.status).toBe('open');
    expect(() => openPoll(draft(), initiativeOwned, context(staff))).toThrow(ForbiddenError);
  });
});

describe('ballots', () => {
  it('checks choices against the poll and puts them in option order', () => {
    const poll = open({ choice: 'multiple', maxChoices: 2 });
    expect(validateChoices(poll, ['o3', 'o1'])).toEqual(['o1', 'o3']);
    const issuesOf = (choices: string[]) => {
      try {
        validateChoices(poll, choices);
        return [];
      } catch (error) {
        return (error as ValidationError).issues;
      }
    };
    expect(issuesOf(['o4'])).toEqual([{ path: 'choices.0', message: 'is not an option of this poll' }]);
    expect(issuesOf(['o1', 'o1'])).toEqual([{ path: 'choices.1', message: 'is chosen twice' }]);
    expect(issuesOf(['o1', 'o2', 'o3'])).toEqual([
      { path: 'choices', message: 'this poll takes at most 2 choices' },
    ]);
    expect(issuesOf([])).toEqual([{ path: 'choices', message: 'must choose at least one option' }]);
    expect(() => validateChoices(open(), ['o1', 'o2'])).toThrow(ValidationError);
  });

  it('lets residents of the audience vote, and nobody else', () => {
    const neighbourhoodPoll = open();
    const cityPoll = open({ audience: { scope: 'municipality' } });
    const cast = (poll: Poll, residence: ReturnType<typeof residentOf> | undefined, actor: Actor = voter) =>
      decideBallot(poll, ['o1'], residence, context(actor, at(200)));
    expect(cast(neighbourhoodPoll, residentOf('bos-en-lommer'))).toEqual(['o1']);
    expect(cast(cityPoll, residentOf('de-baarsjes'))).toEqual(['o1']);
    expect(cast(cityPoll, residentOf())).toEqual(['o1']);
    expect(() => cast(neighbourhoodPoll, residentOf('de-baarsjes'))).toThrow(ForbiddenError);
    expect(() => cast(neighbourhoodPoll, residentOf())).toThrow(ForbiddenError);
    expect(() => cast(cityPoll, residentOf('centrum', 'ieper'))).toThrow(ForbiddenError);
    expect(() => cast(cityPoll, undefined, staff)).toThrow(ForbiddenError);
    expect(() =>
      decideBallot(cityPoll, ['o1'], residentOf('de-baarsjes'), context(undefined, at(200))),
    ).toThrow(UnauthenticatedError);
  });

  it('takes ballots only while open and before closesAt, whether or not the close has run', () => {
    const poll = open();
    const residence = residentOf('bos-en-lommer');
    expect(() => decideBallot(draft(), ['o1'], residence, context(voter, at(200)))).toThrow(/not open yet/);
    expect(
      decideBallot(poll, ['o1'], residence, context(voter, new Date(Date.parse(poll.closesAt) - 1))),
    ).toEqual(['o1']);
    expect(() => decideBallot(poll, ['o1'], residence, context(voter, new Date(poll.closesAt)))).toThrow(
      ConflictError,
    );
    const closed = closePoll(poll, { ballots: 0, counts: {} }, { by: 'schedule' }, context(undefined)).state;
    expect(() => decideBallot(closed, ['o1'], residence, context(voter, at(200)))).toThrow(ConflictError);
  });
});

describe('resultsOf', () => {
  const running = { ballots: 3, counts: { o1: 2, o2: 1 } };

  it('shows a live poll’s running count and a closed poll’s final one', () => {
    expect(resultsOf(open(), running)).toMatchObject({
      ballots: 3,
      tally: { o1: 2, o2: 1, o3: 0 },
      final: false,
    });
    const closed = closePoll(open(), running, { by: 'schedule' }, context(undefined)).state;
    expect(resultsOf(closed, { ballots: 0, counts: {} })).toMatchObject({
      ballots: 3,
      tally: { o1: 2, o2: 1, o3: 0 },
      final: true,
    });
  });

  it('hides the tally of an after-close poll until it closes, and says so', () => {
    const poll = open({ resultsVisibility: 'after-close' });
    const hidden = resultsOf(poll, running);
    expect(hidden).toMatchObject({ ballots: 3, tally: null, final: false });
    expect(hidden.note).toContain(poll.closesAt);
    const closed = closePoll(poll, running, { by: 'schedule' }, context(undefined)).state;
    expect(resultsOf(closed, running).tally).toEqual({ o1: 2, o2: 1, o3: 0 });
  });
});
