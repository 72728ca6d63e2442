import { createEvent, type DomainEvent } from '../events/catalog.ts';
import type { Actor } from './actor.ts';
import { authorize, isAllowed } from './authorization.ts';
import {
  ConflictError,
  type FieldIssue,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from './errors.ts';
import type { DecisionContext } from './initiative-decisions.ts';
import { findNeighbourhood, type Municipality } from './municipality.ts';
import type {
  CreateSubscription,
  Subscription,
  SubscriptionHealth,
  UpdateSubscription,
} from './subscription.ts';
import { SubscriptionFailing } from './subscription-events.ts';

const unique = <T>(values: readonly T[]) => [...new Set(values)];

function neighbourhoodIssues(municipality: Municipality, neighbourhoodIds: readonly string[]): FieldIssue[] {
  return neighbourhoodIds.flatMap((id, index) =>
    findNeighbourhood(municipality, id)
      ? []
      : [{ path: `neighbourhoodIds.${index}`, message: `not a neighbourhood of ${municipality.name}` }],
  );
}

/** Staff of a municipality make a channel for it; the caller has checked a webhook's URL (see ssrf.ts). */
export function createSubscription(
  municipality: Municipality,
  command: CreateSubscription,
  context: DecisionContext,
): Subscription {
  authorize(context.actor, { type: 'subscription.manage', municipalityId: municipality.id });
  const issues = neighbourhoodIssues(municipality, command.neighbourhoodIds);
  if (issues.length > 0) throw new ValidationError(issues);
  const now = context.now.toISOString();
  const { kind, description, eventTypes, neighbourhoodIds } = command;
  return {
    id: context.newId(),
    municipalityId: municipality.id,
    kind,
    ...(command.kind === 'webhook' ? { url: command.url } : {}),
    ...(command.kind === 'email' ? { address: command.address } : {}),
    ...(command.kind === 'eventbus' ? { busArn: command.busArn } : {}),
    description,
    eventTypes: unique(eventTypes),
    neighbourhoodIds: unique(neighbourhoodIds),
    status: 'active',
    createdAt: now,
    updatedAt: now,
    revision: 0,
  };
}

/**
 * A subscription or delivery, if the caller may know it exists. Another municipality's staff, residents
 * and owners get 404, never 403: they learn nothing, not even that the id is taken.
 */
export function seeChannelItem<T extends { municipalityId: string }>(
  actor: Actor | undefined,
  item: T | undefined,
  notFound: string,
  action: 'subscription.read' | 'delivery.read' = 'subscription.read',
): T {
  if (!actor) throw new UnauthenticatedError('Sign in first.');
  if (!item || !isAllowed(actor, { type: action, municipalityId: item.municipalityId })) {
    throw new NotFoundError(notFound);
  }
  return item;
}

const targetField = { webhook: 'url', email: 'address', eventbus: 'busArn' } as const;

/** Staff change a channel's address, filter or description, or pause and resume it. */
export function updateSubscription(
  municipality: Municipality,
  subscription: Subscription,
  patch: UpdateSubscription,
  context: DecisionContext,
): Subscription {
  authorize(context.actor, { type: 'subscription.manage', municipalityId: subscription.municipalityId });
  const issues: FieldIssue[] = [];
  for (const field of ['url', 'address', 'busArn'] as const) {
    if (patch[field] !== undefined && targetField[subscription.kind] !== field) {
      issues.push({ path: field, message: `a ${subscription.kind} subscription has no ${field}` });
    }
  }
  if (patch.neighbourhoodIds) issues.push(...neighbourhoodIssues(municipality, patch.neighbourhoodIds));
  if (issues.length > 0) throw new ValidationError(issues);
  const { status, eventTypes, neighbourhoodIds, ...rest } = patch;
  const next: Subscription = {
    ...subscription,
    ...rest,
    ...(eventTypes ? { eventTypes: unique(eventTypes) } : {}),
    ...(neighbourhoodIds ? { neighbourhoodIds: unique(neighbourhoodIds) } : {}),
    updatedAt: context.now.toISOString(),
    revision: subscription.revision + 1,
  };
  if (status && status !== subscription.status) {
    next.status = status;
    delete next.statusReason;
  }
  return next;
}

export function deleteSubscription(subscription: Subscription, context: DecisionContext): void {
  authorize(context.actor, { type: 'subscription.manage', municipalityId: subscription.municipalityId });
}

/** How long every delivery must have failed before a channel is called failing: a day. */
export const FAILING_AFTER_MS = 24 * 3600 * 1000;

/**
 * After a failed delivery: a channel that has failed without a single success for `failingAfterMs`
 * becomes failing, once, announced by SubscriptionFailing so that its staff are told.
 */
export function markFailingIfDue(
  subscription: Subscription,
  health: SubscriptionHealth,
  context: { now: Date; newId: () => string; failingAfterMs: number },
): { state: Subscription; events: DomainEvent[] } | undefined {
  if (subscription.status !== 'active' || !health.failingSince) return undefined;
  if (context.now.getTime() - Date.parse(health.failingSince) < context.failingAfterMs) return undefined;
  const lastError = health.lastError ?? 'unknown error';
  const state: Subscription = {
    ...subscription,
    status: 'failing',
    statusReason: `Every delivery since ${health.failingSince} failed; the last: ${lastError}`.slice(0, 500),
    updatedAt: context.now.toISOString(),
    revision: subscription.revision + 1,
  };
  const event = createEvent(
    SubscriptionFailing,
    {
      eventId: context.newId(),
      version: SubscriptionFailing.version,
      occurredAt: context.now.toISOString(),
      municipalityId: subscription.municipalityId,
    },
    {
      subscriptionId: subscription.id,
      kind: subscription.kind,
      description: subscription.description,
      failingSince: health.failingSince,
      lastError: lastError.slice(0, 500),
    },
  );
  return { state, events: [event] };
}

/** The receiver answered 410 Gone: it wants no more, so the channel is disabled until staff say otherwise. */
export function disableSubscription(subscription: Subscription, reason: string, now: Date): Subscription {
  if (subscription.status === 'disabled') throw new ConflictError('This subscription is disabled already.');
  return {
    ...subscription,
    status: 'disabled',
    statusReason: reason.slice(0, 500),
    updatedAt: now.toISOString(),
    revision: subscription.revision + 1,
  };
}

/** A failing channel that took a delivery is active again. */
export function recoverSubscription(subscription: Subscription, now: Date): Subscription | undefined {
  if (subscription.status !== 'failing') return undefined;
  const { statusReason: _reason, ...rest } = subscription;
  return { ...rest, status: 'active', updatedAt: now.toISOString(), revision: subscription.revision + 1 };
}
