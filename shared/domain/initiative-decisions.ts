import { createEvent, type DomainEvent } from '../events/catalog.ts';
import type { Actor } from './actor.ts';
import { authorize } from './authorization.ts';
import { slugify } from './common.ts';
import { ConflictError, type FieldIssue, ValidationError } from './errors.ts';
import {
  type Initiative,
  InitiativeArchived,
  InitiativeRegistered,
  InitiativeUpdated,
  type RegisterInitiative,
  type UpdateInitiative,
} from './initiative.ts';
import { findNeighbourhood, type Municipality } from './municipality.ts';

/** What a decision needs from the world, handed in so that decisions stay pure and testable. */
export interface DecisionContext {
  actor: Actor | undefined;
  now: Date;
  newId: () => string;
}

export interface Decision<State> {
  state: State;
  events: DomainEvent[];
}

/**
 * The references in a registration or edit that the schema alone cannot check: the municipality
 * must exist and the neighbourhood must be one of its own.
 */
export function referenceIssues(
  input: { municipalityId?: unknown; neighbourhoodId?: unknown },
  municipality: Municipality | undefined,
): FieldIssue[] {
  if (typeof input.municipalityId === 'string' && !municipality) {
    return [{ path: 'municipalityId', message: `unknown municipality "${input.municipalityId}"` }];
  }
  if (
    municipality &&
    typeof input.neighbourhoodId === 'string' &&
    !findNeighbourhood(municipality, input.neighbourhoodId)
  ) {
    return [{ path: 'neighbourhoodId', message: `not a neighbourhood of ${municipality.name}` }];
  }
  return [];
}

/** The envelope of an event that happens now, in a place (every event says where). */
export function eventEnvelope(
  place: { municipalityId: string; neighbourhoodId?: string },
  context: DecisionContext,
) {
  return {
    eventId: context.newId(),
    version: 1,
    occurredAt: context.now.toISOString(),
    municipalityId: place.municipalityId,
    ...(place.neighbourhoodId ? { neighbourhoodId: place.neighbourhoodId } : {}),
  };
}

function eventView(initiative: Initiative) {
  const { owners: _owners, contactEmail: _contactEmail, revision: _revision, ...view } = initiative;
  return view;
}

export function registerInitiative(
  command: RegisterInitiative,
  municipality: Municipality | undefined,
  context: DecisionContext,
  options: { slug?: string } = {},
): Decision<Initiative> {
  authorize(context.actor, { type: 'initiative.register' });
  const issues = referenceIssues(command, municipality);
  if (issues.length > 0) throw new ValidationError(issues);
  const now = context.now.toISOString();
  const { activities, ...fields } = command;
  const initiative: Initiative = {
    ...fields,
    id: context.newId(),
    slug: options.slug ?? slugify(command.name),
    activities: activities.map((activity) => ({ id: context.newId(), ...activity })),
    status: 'published',
    owners: [context.actor.userId],
    createdAt: now,
    updatedAt: now,
    revision: 0,
  };
  const event = createEvent(InitiativeRegistered, eventEnvelope(initiative, context), {
    initiative: eventView(initiative),
  });
  return { state: initiative, events: [event] };
}

/** When the wanted slug is taken, a second try gets one that cannot collide: the id's tail. */
export function fallbackSlug(initiative: Initiative): string {
  return `${initiative.slug.slice(0, 52)}-${initiative.id.slice(-6).toLowerCase()}`;
}

export function updateInitiative(
  initiative: Initiative,
  patch: UpdateInitiative,
  municipality: Municipality | undefined,
  context: DecisionContext,
): Decision<Initiative> {
  authorize(context.actor, { type: 'initiative.update', owners: initiative.owners });
  if (initiative.status === 'archived') throw new ConflictError('An archived initiative cannot be changed.');
  if (patch.neighbourhoodId !== undefined) {
    const issues = referenceIssues(
      { municipalityId: initiative.municipalityId, neighbourhoodId: patch.neighbourhoodId },
      municipality,
    );
    if (issues.length > 0) throw new ValidationError(issues);
  }

  const { activities, contactEmail, ...fields } = patch;
  const next: Initiative = {
    ...initiative,
    ...fields,
    ...(activities
      ? { activities: activities.map((activity) => ({ id: context.newId(), ...activity })) }
      : {}),
    updatedAt: context.now.toISOString(),
    revision: initiative.revision + 1,
  };
  if (contactEmail === null) delete next.contactEmail;
  else if (contactEmail !== undefined) next.contactEmail = contactEmail;

  const changed = Object.keys(patch).sort();
  const event = createEvent(InitiativeUpdated, eventEnvelope(next, context), {
    initiative: eventView(next),
    changed,
  });
  return { state: next, events: [event] };
}

export function archiveInitiative(initiative: Initiative, context: DecisionContext): Decision<Initiative> {
  authorize(context.actor, { type: 'initiative.archive', owners: initiative.owners });
  if (initiative.status === 'archived') throw new ConflictError('This initiative is already archived.');
  const next: Initiative = {
    ...initiative,
    status: 'archived',
    updatedAt: context.now.toISOString(),
    revision: initiative.revision + 1,
  };
  const event = createEvent(InitiativeArchived, eventEnvelope(next, context), {
    initiativeId: next.id,
    slug: next.slug,
    name: next.name,
  });
  return { state: next, events: [event] };
}
