import * as z from 'zod';
import { createEvent, type DomainEvent, defineEvent, sources } from '../events/catalog.ts';
import type { Actor } from './actor.ts';
import type { Initiative } from './initiative.ts';
import { InitiativeUpdated } from './initiative.ts';
import {
  archiveInitiative,
  type Decision,
  type DecisionContext,
  eventEnvelope,
} from './initiative-decisions.ts';

/**
 * What stands in the owners of an initiative whose last owner deleted their account: an initiative has
 * at least one owner, and this one names nobody (it cannot be an account id: those are UUIDs or demo ids).
 */
export const DELETED_OWNER = 'deleted-account';

/** Accounts are not a municipality's: the deletion is recorded under the platform's own name. */
export const PLATFORM_PLACE = 'plein';

export const AccountDeleted = defineEvent({
  name: 'AccountDeleted',
  source: sources.accounts,
  version: 1,
  description:
    'A person deleted their account. Carries no personal data: only what happened to the initiatives they owned.',
  data: z.object({
    initiativesArchived: z.number().int().nonnegative(),
    initiativesLeft: z.number().int().nonnegative(),
  }),
});

export interface AccountDeletionPlan {
  /** Each initiative the person owned, as it is to be written, with its events. */
  initiatives: Decision<Initiative>[];
  accountDeleted: DomainEvent;
}

/**
 * What deleting an account does to the initiatives the person owns. A co-owned initiative loses them as
 * an owner and goes on. One they own alone is archived (the existing archive decision) rather than
 * handed over: a hand-over needs the consent of whoever takes it, and nobody has given it. Its owners
 * become `DELETED_OWNER` and its contact address, which may be theirs, is dropped.
 */
export function planAccountDeletion(
  actor: Actor,
  owned: readonly Initiative[],
  context: DecisionContext,
): AccountDeletionPlan {
  let archived = 0;
  let left = 0;
  const decisions = owned
    .filter((initiative) => initiative.owners.includes(actor.userId))
    .map((initiative): Decision<Initiative> => {
      const others = initiative.owners.filter((owner) => owner !== actor.userId && owner !== DELETED_OWNER);
      if (others.length > 0) {
        left += 1;
        return leave(initiative, actor, others, context);
      }
      archived += initiative.status === 'published' ? 1 : 0;
      return orphan(initiative, context);
    });
  const accountDeleted = createEvent(
    AccountDeleted,
    eventEnvelope({ municipalityId: PLATFORM_PLACE }, context),
    {
      initiativesArchived: archived,
      initiativesLeft: left,
    },
  );
  return { initiatives: decisions, accountDeleted };
}

function leave(
  initiative: Initiative,
  actor: Actor,
  others: string[],
  context: DecisionContext,
): Decision<Initiative> {
  const next: Initiative = {
    ...initiative,
    owners: others,
    updatedAt: context.now.toISOString(),
    revision: initiative.revision + 1,
  };
  const changed = ['owners'];
  if (actor.email && initiative.contactEmail?.toLowerCase() === actor.email.toLowerCase()) {
    delete next.contactEmail;
    changed.unshift('contactEmail');
  }
  // Only private fields changed: an archived initiative's channels need not hear of it.
  if (initiative.status === 'archived') return { state: next, events: [] };
  const { owners: _owners, contactEmail: _contactEmail, revision: _revision, ...view } = next;
  const event = createEvent(InitiativeUpdated, eventEnvelope(next, context), { initiative: view, changed });
  return { state: next, events: [event] };
}

function orphan(initiative: Initiative, context: DecisionContext): Decision<Initiative> {
  const archived =
    initiative.status === 'published'
      ? archiveInitiative(initiative, context)
      : {
          state: { ...initiative, updatedAt: context.now.toISOString(), revision: initiative.revision + 1 },
          events: [],
        };
  const state: Initiative = { ...archived.state, owners: [DELETED_OWNER] };
  delete state.contactEmail;
  return { state, events: archived.events };
}
