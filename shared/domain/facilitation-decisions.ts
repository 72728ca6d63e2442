import { createEvent, type DomainEvent, type EventDefinition } from '../events/catalog.ts';
import { authorize, isAllowed } from './authorization.ts';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from './errors.ts';
import {
  FacilitationDelivered,
  FacilitationOffered,
  type FacilitationRequest,
  FacilitationRequestClosed,
  FacilitationRequested,
  type Offer,
  OfferAccepted,
  OfferDeclined,
  type OfferFacilitation,
  type OfferStatus,
  OfferWithdrawn,
  publicOfferStatuses,
  type RequestFacilitation,
} from './facilitation.ts';
import type { Initiative } from './initiative.ts';
import { type DecisionContext, eventEnvelope } from './initiative-decisions.ts';

/** The facts about an initiative that facilitation decisions need. */
type InitiativeFacts = Pick<
  Initiative,
  'id' | 'municipalityId' | 'neighbourhoodId' | 'owners' | 'status' | 'facilitationStance'
>;

function assertPublished(initiative: InitiativeFacts) {
  if (initiative.status !== 'published') throw new ConflictError('This initiative is archived.');
}

export function requestFacilitation(
  initiative: InitiativeFacts,
  command: RequestFacilitation,
  context: DecisionContext,
) {
  authorize(context.actor, { type: 'facilitation.request', owners: initiative.owners });
  assertPublished(initiative);
  const request: FacilitationRequest = {
    id: context.newId(),
    initiativeId: initiative.id,
    municipalityId: initiative.municipalityId,
    neighbourhoodId: initiative.neighbourhoodId,
    ...command,
    status: 'open',
    createdAt: context.now.toISOString(),
    revision: 0,
  };
  const { revision: _revision, ...data } = request;
  const event = createEvent(FacilitationRequested, eventEnvelope(request, context), { request: data });
  return { state: request, events: [event] as DomainEvent[] };
}

export function closeRequest(
  initiative: InitiativeFacts,
  request: FacilitationRequest,
  context: DecisionContext,
) {
  authorize(context.actor, { type: 'facilitation.close-request', owners: initiative.owners });
  if (request.status === 'closed') throw new ConflictError('This request is closed already.');
  const closed: FacilitationRequest = {
    ...request,
    status: 'closed',
    closedAt: context.now.toISOString(),
    revision: request.revision + 1,
  };
  const event = createEvent(FacilitationRequestClosed, eventEnvelope(closed, context), {
    requestId: closed.id,
    initiativeId: closed.initiativeId,
  });
  return { state: closed, events: [event] as DomainEvent[] };
}

/**
 * A municipality offers help. Only the initiative's own municipality offers; an initiative that
 * wants no offers gets none, and one that wants to be asked first gets offers only in reply to its
 * requests. Answering a request for the first time marks it answered and records how long it waited.
 */
export function offerFacilitation(
  initiative: InitiativeFacts,
  request: FacilitationRequest | undefined,
  command: OfferFacilitation,
  context: DecisionContext,
) {
  authorize(context.actor, { type: 'facilitation.offer', municipalityId: initiative.municipalityId });
  assertPublished(initiative);
  if (initiative.facilitationStance === 'none')
    throw new ConflictError('This initiative does not take offers.');
  if (command.requestId) {
    if (!request || request.id !== command.requestId || request.initiativeId !== initiative.id) {
      throw new ValidationError([{ path: 'requestId', message: 'is not a request of this initiative' }]);
    }
    if (request.status === 'closed') throw new ConflictError('This request is closed.');
  } else if (initiative.facilitationStance === 'ask-first') {
    throw new ConflictError('This initiative takes offers only in reply to its requests.');
  }
  const now = context.now.toISOString();
  const offer: Offer = {
    id: context.newId(),
    initiativeId: initiative.id,
    municipalityId: initiative.municipalityId,
    neighbourhoodId: initiative.neighbourhoodId,
    ...command,
    status: 'offered',
    createdAt: now,
    revision: 0,
  };
  const answered =
    request && command.requestId && !request.firstOfferAt
      ? { ...request, status: 'answered' as const, firstOfferAt: now, revision: request.revision + 1 }
      : undefined;
  const firstAnswer = answered
    ? {
        requestId: answered.id,
        requestedAt: answered.createdAt,
        waitedSeconds: Math.round((context.now.getTime() - Date.parse(answered.createdAt)) / 1000),
      }
    : undefined;
  const { revision: _revision, ...data } = offer;
  const event = createEvent(FacilitationOffered, eventEnvelope(offer, context), {
    offer: data,
    ...(firstAnswer ? { firstAnswer } : {}),
  });
  return { state: offer, answeredRequest: answered, events: [event] as DomainEvent[] };
}

type Transition = {
  from: OfferStatus;
  to: OfferStatus;
  event: EventDefinition;
  action: 'facilitation.decide-offer' | 'facilitation.withdraw-offer' | 'facilitation.deliver-offer';
  stamp: 'decidedAt' | 'deliveredAt';
};

/** The offer state machine: every allowed step, who takes it, and what it announces. */
export const offerTransitions = {
  accept: {
    from: 'offered',
    to: 'accepted',
    event: OfferAccepted,
    action: 'facilitation.decide-offer',
    stamp: 'decidedAt',
  },
  decline: {
    from: 'offered',
    to: 'declined',
    event: OfferDeclined,
    action: 'facilitation.decide-offer',
    stamp: 'decidedAt',
  },
  withdraw: {
    from: 'offered',
    to: 'withdrawn',
    event: OfferWithdrawn,
    action: 'facilitation.withdraw-offer',
    stamp: 'decidedAt',
  },
  deliver: {
    from: 'accepted',
    to: 'delivered',
    event: FacilitationDelivered,
    action: 'facilitation.deliver-offer',
    stamp: 'deliveredAt',
  },
} as const satisfies Record<string, Transition>;
export type OfferCommand = keyof typeof offerTransitions;

/** Whether the caller may know this offer exists: anyone for taken-up offers, the two parties for the rest. */
export function canSeeOffer(
  initiative: InitiativeFacts,
  offer: Offer,
  actor: DecisionContext['actor'],
): boolean {
  return (
    publicOfferStatuses.includes(offer.status) ||
    isAllowed(actor, {
      type: 'facilitation.see-offer',
      owners: initiative.owners,
      municipalityId: offer.municipalityId,
    })
  );
}

/**
 * Moves an offer one step. The caller must be the right party (owners accept and decline; the offering
 * municipality withdraws and delivers); a step the state machine does not allow is a conflict.
 */
export function changeOffer(
  initiative: InitiativeFacts,
  offer: Offer,
  command: OfferCommand,
  context: DecisionContext,
) {
  if (!context.actor) throw new UnauthenticatedError('Sign in first.');
  if (!canSeeOffer(initiative, offer, context.actor)) throw new NotFoundError(`No offer ${offer.id}.`);
  const transition: Transition = offerTransitions[command];
  authorize(
    context.actor,
    transition.action === 'facilitation.decide-offer'
      ? { type: transition.action, owners: initiative.owners }
      : { type: transition.action, municipalityId: offer.municipalityId },
  );
  if (offer.status !== transition.from) {
    throw new ConflictError(`An offer that is ${offer.status} cannot be ${transition.to}.`);
  }
  const next: Offer = {
    ...offer,
    status: transition.to,
    [transition.stamp]: context.now.toISOString(),
    revision: offer.revision + 1,
  };
  const { revision: _revision, ...data } = next;
  const event = createEvent(transition.event, eventEnvelope(next, context), { offer: data });
  return { state: next, events: [event] as DomainEvent[] };
}
