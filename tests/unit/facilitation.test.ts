import fc from 'fast-check';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/domain/actor.ts';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
} from '../../shared/domain/errors.ts';
import type { Offer } from '../../shared/domain/facilitation.ts';
import {
  changeOffer,
  closeRequest,
  type OfferCommand,
  offerFacilitation,
  offerTransitions,
  requestFacilitation,
} from '../../shared/domain/facilitation-decisions.ts';

const person = (userId: string, staffOf: string[] = []): Actor => ({
  userId,
  name: userId,
  staffOf,
  isPlatformAdmin: false,
});
const actors = {
  owner: person('owner'),
  otherOwner: person('other-owner'),
  staff: person('staff', ['amsterdam']),
  otherStaff: person('other-staff', ['ieper']),
  resident: person('resident'),
  anonymous: undefined,
} as const;
type ActorName = keyof typeof actors;

const initiative = {
  id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
  municipalityId: 'amsterdam',
  neighbourhoodId: 'bos-en-lommer',
  owners: ['owner'],
  status: 'published' as const,
  facilitationStance: 'open' as const,
};
const context = (actor: Actor | undefined, now = new Date('2026-03-01T12:00:00Z')) => ({
  actor,
  now,
  newId: monotonicFactory(),
});
const newOffer = () =>
  offerFacilitation(
    initiative,
    undefined,
    { kind: 'space', text: 'De buurtkamer, elke zaterdag.' },
    context(actors.staff),
  ).state;

describe('the offer state machine (property-based)', () => {
  const step = fc.record({
    command: fc.constantFrom<OfferCommand>('accept', 'decline', 'withdraw', 'deliver'),
    actor: fc.constantFrom<ActorName>('owner', 'otherOwner', 'staff', 'otherStaff', 'resident', 'anonymous'),
  });

  it('keeps its invariants under any sequence of commands by anyone', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        let offer: Offer = newOffer();
        const history: { command: OfferCommand; actor: ActorName }[] = [];
        for (const { command, actor } of steps) {
          const before = structuredClone(offer);
          try {
            const { state, events } = changeOffer(initiative, offer, command, context(actors[actor]));
            // Each transition emits exactly one event, the one of its kind.
            expect(events).toHaveLength(1);
            expect(events[0]?.detailType).toBe(offerTransitions[command].event.name);
            expect(state.revision).toBe(offer.revision + 1);
            offer = state;
            history.push({ command, actor });
          } catch (error) {
            // A refused command changes nothing and says why in the domain's own terms.
            expect(error).toBeInstanceOf(DomainError);
            expect(offer).toEqual(before);
          }
        }
        const accepts = history.filter((entry) => entry.command === 'accept');
        // Accepted at most once, and only ever by an owner: consent.
        expect(accepts.length).toBeLessThanOrEqual(1);
        expect(accepts.every((entry) => entry.actor === 'owner')).toBe(true);
        expect(
          history.filter((entry) => entry.command === 'decline').every((entry) => entry.actor === 'owner'),
        ).toBe(true);
        // Only the offering municipality withdraws and delivers.
        expect(
          history
            .filter((entry) => entry.command === 'withdraw' || entry.command === 'deliver')
            .every((entry) => entry.actor === 'staff'),
        ).toBe(true);
        // Nothing is delivered unless it was accepted first.
        const delivered = history.findIndex((entry) => entry.command === 'deliver');
        if (delivered >= 0)
          expect(history.slice(0, delivered).some((entry) => entry.command === 'accept')).toBe(true);
        if (offer.status === 'delivered') expect(accepts).toHaveLength(1);
        // At most one decision, then at most one delivery.
        expect(history.length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 500 },
    );
  });

  it('hides a pending offer from third parties (404) but tells the other party it may not (403)', () => {
    const offer = newOffer();
    expect(() => changeOffer(initiative, offer, 'accept', context(actors.otherStaff))).toThrow(NotFoundError);
    expect(() => changeOffer(initiative, offer, 'accept', context(actors.resident))).toThrow(NotFoundError);
    expect(() => changeOffer(initiative, offer, 'accept', context(actors.staff))).toThrow(ForbiddenError);
    expect(() => changeOffer(initiative, offer, 'withdraw', context(actors.owner))).toThrow(ForbiddenError);
    expect(() => changeOffer(initiative, offer, 'accept', context(undefined))).toThrow(UnauthenticatedError);
  });
});

describe('offers and the initiative stance', () => {
  it('refuses every offer to an initiative that wants none', () => {
    const closed = { ...initiative, facilitationStance: 'none' as const };
    expect(() =>
      offerFacilitation(
        closed,
        undefined,
        { kind: 'funding', text: 'Vijfhonderd euro voor tassen.' },
        context(actors.staff),
      ),
    ).toThrow(ConflictError);
  });

  it('takes offers to an ask-first initiative only in reply to its requests', () => {
    const askFirst = { ...initiative, facilitationStance: 'ask-first' as const };
    expect(() =>
      offerFacilitation(
        askFirst,
        undefined,
        { kind: 'space', text: 'Een ruimte voor jullie.' },
        context(actors.staff),
      ),
    ).toThrow(ConflictError);
    const request = requestFacilitation(
      askFirst,
      { kind: 'space', text: 'Een ruimte voor veertig mensen.' },
      context(actors.owner),
    ).state;
    const { answeredRequest } = offerFacilitation(
      askFirst,
      request,
      { kind: 'space', text: 'De buurtkamer.', requestId: request.id },
      context(actors.staff),
    );
    expect(answeredRequest?.status).toBe('answered');
  });

  it('only staff of the initiative’s own municipality offer', () => {
    expect(() =>
      offerFacilitation(
        initiative,
        undefined,
        { kind: 'space', text: 'Onze zaal in Ieper.' },
        context(actors.otherStaff),
      ),
    ).toThrow(ForbiddenError);
    expect(() =>
      offerFacilitation(
        initiative,
        undefined,
        { kind: 'space', text: 'Mijn eigen schuur.' },
        context(actors.owner),
      ),
    ).toThrow(ForbiddenError);
  });
});

describe('requests', () => {
  it('records the wait of the first answer only, and a closed request takes no offers', () => {
    // Prepare
    const request = requestFacilitation(
      initiative,
      { kind: 'permit', text: 'Een vergunning voor het straatdiner.' },
      context(actors.owner, new Date('2026-03-01T12:00:00Z')),
    ).state;
    // Act
    const first = offerFacilitation(
      initiative,
      request,
      { kind: 'permit', text: 'We regelen de vergunning.', requestId: request.id },
      context(actors.staff, new Date('2026-03-03T12:00:00Z')),
    );
    const second = offerFacilitation(
      initiative,
      first.answeredRequest,
      { kind: 'materials', text: 'En ook nog dranghekken.', requestId: request.id },
      context(actors.staff, new Date('2026-03-04T12:00:00Z')),
    );
    // Assess
    expect(first.events[0]?.detail.data).toMatchObject({ firstAnswer: { waitedSeconds: 2 * 86_400 } });
    expect(second.answeredRequest).toBeUndefined();
    expect(second.events[0]?.detail.data).not.toHaveProperty('firstAnswer');
    const closed = closeRequest(initiative, first.answeredRequest ?? request, context(actors.owner)).state;
    expect(() =>
      offerFacilitation(
        initiative,
        closed,
        { kind: 'permit', text: 'Toch nog een aanbod.', requestId: request.id },
        context(actors.staff),
      ),
    ).toThrow(ConflictError);
    expect(() => closeRequest(initiative, closed, context(actors.owner))).toThrow(ConflictError);
  });

  it('are asked and closed by owners only', () => {
    expect(() =>
      requestFacilitation(
        initiative,
        { kind: 'space', text: 'Een ruimte graag, voor ons.' },
        context(actors.staff),
      ),
    ).toThrow(ForbiddenError);
    const request = requestFacilitation(
      initiative,
      { kind: 'space', text: 'Een ruimte graag, voor ons.' },
      context(actors.owner),
    ).state;
    expect(() => closeRequest(initiative, request, context(actors.otherOwner))).toThrow(ForbiddenError);
  });
});
