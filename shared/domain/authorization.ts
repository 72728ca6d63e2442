import type { Actor } from './actor.ts';
import { ForbiddenError, UnauthenticatedError } from './errors.ts';
import type { Audience } from './poll.ts';

/** Who owns a poll: its municipality's staff, or, for an initiative's poll, the initiative's owners. */
export interface PollOwnerFacts {
  municipalityId: string;
  /** Present for an initiative's poll only. */
  initiativeOwners?: readonly string[];
}

/**
 * Every decision about who may do what, in one place. Handlers call `authorize` with the action
 * and the facts about the target; they never compare ids themselves.
 */
export type Action =
  | { type: 'initiative.register' }
  /** One's own account: read it, export it, delete it. Nobody acts on another's account. */
  | { type: 'account.read-own' | 'account.export-own' | 'account.delete-own' }
  | { type: 'initiative.update'; owners: readonly string[] }
  | { type: 'initiative.archive'; owners: readonly string[] }
  | { type: 'initiative.read-private'; owners: readonly string[] }
  // Facilitation: the initiative's owners ask, accept and decline; its municipality's staff offer,
  // withdraw and deliver. Consent lives here: nobody but an owner accepts an offer.
  | { type: 'facilitation.request'; owners: readonly string[] }
  | { type: 'facilitation.close-request'; owners: readonly string[] }
  | { type: 'facilitation.decide-offer'; owners: readonly string[] }
  | { type: 'facilitation.offer'; municipalityId: string }
  | { type: 'facilitation.withdraw-offer'; municipalityId: string }
  | { type: 'facilitation.deliver-offer'; municipalityId: string }
  /** A pending or refused offer is the business of the two parties only. */
  | { type: 'facilitation.see-offer'; owners: readonly string[]; municipalityId: string }
  | { type: 'municipality.read-inbox'; municipalityId: string }
  // Channels: a municipality's subscriptions and their deliveries are its staff's business only.
  | {
      type: 'subscription.manage' | 'subscription.read' | 'delivery.read' | 'delivery.replay';
      municipalityId: string;
    }
  // Polls: their owner creates, opens and closes them, and alone sees a draft.
  | ({ type: 'poll.create' | 'poll.open' | 'poll.close' | 'poll.read-draft' } & PollOwnerFacts)
  // Moderation: anyone signed in reports; the target's municipality's staff or the platform admin hide,
  // restore, decide appeals and read reports and the audit log; the target's owners appeal. `owners` is
  // absent when the municipality itself owns the target (its own poll): then its staff are the owners.
  | { type: 'moderation.report' }
  | {
      type: 'moderation.hide' | 'moderation.restore' | 'moderation.decide-appeal' | 'moderation.read-reports';
      municipalityId: string;
    }
  | { type: 'audit.read'; municipalityId: string }
  | { type: 'moderation.appeal'; municipalityId: string; owners?: readonly string[] | undefined }
  /** A hidden item stays visible to its owners, its municipality's staff and the platform admin. */
  | { type: 'moderation.see-hidden'; municipalityId: string; owners?: readonly string[] | undefined }
  /** A resident of the audience, by the residence the ResidencyVerifier vouches for (not the raw claim). */
  | {
      type: 'poll.vote';
      municipalityId: string;
      audience: Audience;
      residence: { municipalityId: string; neighbourhoodId?: string } | undefined;
    };

export function isAllowed(actor: Actor | undefined, action: Action): boolean {
  if (!actor) return false;
  switch (action.type) {
    case 'initiative.register':
    case 'account.read-own':
    case 'account.export-own':
    case 'account.delete-own':
      return true;
    // Initiatives stay in charge of themselves: not even staff or the platform admin edit them.
    case 'initiative.update':
    case 'initiative.archive':
    case 'initiative.read-private':
    case 'facilitation.request':
    case 'facilitation.close-request':
    case 'facilitation.decide-offer':
      return action.owners.includes(actor.userId);
    case 'facilitation.offer':
    case 'facilitation.withdraw-offer':
    case 'facilitation.deliver-offer':
    case 'municipality.read-inbox':
    case 'subscription.manage':
    case 'subscription.read':
    case 'delivery.read':
    case 'delivery.replay':
      return actor.staffOf.includes(action.municipalityId);
    case 'facilitation.see-offer':
      return action.owners.includes(actor.userId) || actor.staffOf.includes(action.municipalityId);
    // An initiative's poll is the initiative's: not even its municipality's staff run it.
    case 'poll.create':
    case 'poll.open':
    case 'poll.close':
    case 'poll.read-draft':
      return action.initiativeOwners
        ? action.initiativeOwners.includes(actor.userId)
        : actor.staffOf.includes(action.municipalityId);
    case 'moderation.report':
      return true;
    case 'moderation.hide':
    case 'moderation.restore':
    case 'moderation.decide-appeal':
    case 'moderation.read-reports':
    case 'audit.read':
      return actor.isPlatformAdmin || actor.staffOf.includes(action.municipalityId);
    case 'moderation.appeal':
      return action.owners
        ? action.owners.includes(actor.userId)
        : actor.staffOf.includes(action.municipalityId);
    case 'moderation.see-hidden':
      return (
        actor.isPlatformAdmin ||
        actor.staffOf.includes(action.municipalityId) ||
        (action.owners?.includes(actor.userId) ?? false)
      );
    case 'poll.vote': {
      const { residence, audience } = action;
      if (residence?.municipalityId !== action.municipalityId) return false;
      return (
        audience.scope === 'municipality' ||
        (residence.neighbourhoodId !== undefined &&
          audience.neighbourhoodIds.includes(residence.neighbourhoodId))
      );
    }
  }
}

/** Throws 401 for an anonymous caller and 403 for a known caller without the right. */
export function authorize(actor: Actor | undefined, action: Action): asserts actor is Actor {
  if (!actor) throw new UnauthenticatedError('Sign in first.');
  if (!isAllowed(actor, action)) throw new ForbiddenError(`You may not ${action.type.replace('.', ' ')}.`);
}
