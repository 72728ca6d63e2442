import { createEvent, type DomainEvent } from '../events/catalog.ts';
import type { Actor } from './actor.ts';
import { authorize, isAllowed, type PollOwnerFacts } from './authorization.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import type { FacilitationRequest } from './facilitation.ts';
import type { Initiative } from './initiative.ts';
import { type DecisionContext, eventEnvelope } from './initiative-decisions.ts';
import {
  AppealDecided,
  type AppealDecision,
  ContentHidden,
  ContentReported,
  ContentRestored,
  HideAppealed,
  type ModerationCase,
  type ModerationTargetKind,
  moderationView,
  type Report,
  type ReportContent,
} from './moderation.ts';
import type { Poll } from './poll.ts';

/**
 * What moderation needs to know about the item it acts on. `owners` are the people who answer for it
 * (an initiative's owners, also for its requests and polls); absent for a municipality's own poll.
 */
export interface ModerationTarget {
  kind: ModerationTargetKind;
  id: string;
  municipalityId: string;
  neighbourhoodId?: string | undefined;
  owners?: readonly string[] | undefined;
}

const targetOf = (target: ModerationTarget) => ({ kind: target.kind, id: target.id });

/** The moderation facts of an initiative: its owners answer for it. */
export function initiativeTarget(
  initiative: Pick<Initiative, 'id' | 'municipalityId' | 'neighbourhoodId' | 'owners'>,
): ModerationTarget {
  const { id, municipalityId, neighbourhoodId, owners } = initiative;
  return { kind: 'initiative', id, municipalityId, neighbourhoodId, owners };
}

/** A request for help is its initiative's: the initiative's owners answer for it. */
export function requestTarget(
  request: Pick<FacilitationRequest, 'id' | 'municipalityId' | 'neighbourhoodId'>,
  initiative: Pick<Initiative, 'owners'>,
): ModerationTarget {
  const { id, municipalityId, neighbourhoodId } = request;
  return { kind: 'request', id, municipalityId, neighbourhoodId, owners: initiative.owners };
}

/** A poll's owners per `PollOwnerFacts`: an initiative's owners, or (a municipal poll) its staff. */
export function pollTarget(poll: Pick<Poll, 'id'>, owner: PollOwnerFacts): ModerationTarget {
  return {
    kind: 'poll',
    id: poll.id,
    municipalityId: owner.municipalityId,
    owners: owner.initiativeOwners,
  };
}

/**
 * The moderation state this caller may see on the item itself, after checking that they may see the
 * item at all (a 404 otherwise): its owners, staff and the admin see it; everyone else nothing.
 */
export function moderationShownTo(
  target: ModerationTarget,
  moderation: ModerationCase | undefined,
  actor: Actor | undefined,
): { moderation: ReturnType<typeof moderationView> } | Record<string, never> {
  assertVisible(target, moderation, actor);
  return moderation && canSeeModeration(target, actor) ? { moderation: moderationView(moderation) } : {};
}

/** Whether this caller may know the item exists: everyone while visible; owners, staff and the admin when hidden. */
export function canSee(
  target: ModerationTarget,
  moderation: ModerationCase | undefined,
  actor: Actor | undefined,
): boolean {
  return (
    moderation?.status !== 'hidden' ||
    isAllowed(actor, {
      type: 'moderation.see-hidden',
      municipalityId: target.municipalityId,
      owners: target.owners,
    })
  );
}

/** A hidden item is a 404 to whoever may not see it: its existence is not confirmed to them. */
export function assertVisible(
  target: ModerationTarget,
  moderation: ModerationCase | undefined,
  actor: Actor | undefined,
): void {
  if (!canSee(target, moderation, actor)) throw new NotFoundError(`No ${target.kind} ${target.id}.`);
}

/** Whether the caller may see the moderation state itself (the reason, the appeal). */
export function canSeeModeration(target: ModerationTarget, actor: Actor | undefined): boolean {
  return isAllowed(actor, {
    type: 'moderation.see-hidden',
    municipalityId: target.municipalityId,
    owners: target.owners,
  });
}

/** For lists: the moderation state to show beside an item, or undefined when the item is hidden from this caller. */
export function listedModeration(
  target: ModerationTarget,
  moderation: ModerationCase | undefined,
  actor: Actor | undefined,
): ReturnType<typeof moderationShownTo> | undefined {
  return canSee(target, moderation, actor) ? moderationShownTo(target, moderation, actor) : undefined;
}

export function reportContent(
  target: ModerationTarget,
  moderation: ModerationCase | undefined,
  command: ReportContent,
  context: DecisionContext,
) {
  authorize(context.actor, { type: 'moderation.report' });
  assertVisible(target, moderation, context.actor);
  const report: Report = {
    id: context.newId(),
    kind: target.kind,
    targetId: target.id,
    municipalityId: target.municipalityId,
    category: command.category,
    ...(command.text ? { text: command.text } : {}),
    reporterId: context.actor.userId,
    createdAt: context.now.toISOString(),
  };
  const event = createEvent(ContentReported, eventEnvelope(target, context), {
    reportId: report.id,
    target: targetOf(target),
    category: report.category,
  });
  return { state: report, events: [event] as DomainEvent[] };
}

function next(
  target: ModerationTarget,
  current: ModerationCase | undefined,
  changes: Partial<ModerationCase>,
  context: DecisionContext,
): ModerationCase {
  const base = current ?? {
    kind: target.kind,
    targetId: target.id,
    municipalityId: target.municipalityId,
    status: 'visible' as const,
  };
  return {
    ...base,
    ...changes,
    updatedAt: context.now.toISOString(),
    revision: current ? current.revision + 1 : 0,
  };
}

export function hideContent(
  target: ModerationTarget,
  current: ModerationCase | undefined,
  command: { reason: string },
  context: DecisionContext,
) {
  assertVisible(target, current, context.actor);
  authorize(context.actor, { type: 'moderation.hide', municipalityId: target.municipalityId });
  if (current?.status === 'hidden') throw new ConflictError(`This ${target.kind} is hidden already.`);
  const now = context.now.toISOString();
  const state = next(target, current, { status: 'hidden', reason: command.reason, hiddenAt: now }, context);
  // A new hide starts afresh: an appeal against an earlier hide says nothing about this one.
  delete state.appeal;
  const event = createEvent(ContentHidden, eventEnvelope(target, context), {
    target: targetOf(target),
    reason: command.reason,
  });
  return { state, events: [event] as DomainEvent[] };
}

function visibleAgain(
  target: ModerationTarget,
  current: ModerationCase,
  changes: Partial<ModerationCase>,
  context: DecisionContext,
): ModerationCase {
  const state = next(target, current, { ...changes, status: 'visible' }, context);
  delete state.reason;
  delete state.hiddenAt;
  return state;
}

export function restoreContent(
  target: ModerationTarget,
  current: ModerationCase | undefined,
  command: { reason: string },
  context: DecisionContext,
) {
  assertVisible(target, current, context.actor);
  authorize(context.actor, { type: 'moderation.restore', municipalityId: target.municipalityId });
  if (current?.status !== 'hidden') throw new ConflictError(`This ${target.kind} is not hidden.`);
  const state = visibleAgain(target, current, {}, context);
  // A pending appeal has nothing left to decide.
  if (state.appeal?.status === 'pending') delete state.appeal;
  const event = createEvent(ContentRestored, eventEnvelope(target, context), {
    target: targetOf(target),
    reason: command.reason,
  });
  return { state, events: [event] as DomainEvent[] };
}

/** The owners appeal a hide, once per hide. */
export function appealHide(
  target: ModerationTarget,
  current: ModerationCase | undefined,
  command: { text: string },
  context: DecisionContext,
) {
  assertVisible(target, current, context.actor);
  authorize(context.actor, {
    type: 'moderation.appeal',
    municipalityId: target.municipalityId,
    owners: target.owners,
  });
  if (current?.status !== 'hidden') throw new ConflictError(`This ${target.kind} is not hidden.`);
  if (current.appeal) throw new ConflictError('This hide has been appealed already.');
  const state = next(
    target,
    current,
    { appeal: { status: 'pending', text: command.text, appealedAt: context.now.toISOString() } },
    context,
  );
  const event = createEvent(HideAppealed, eventEnvelope(target, context), { target: targetOf(target) });
  return { state, events: [event] as DomainEvent[] };
}

/** Staff decide a pending appeal: upheld, the item stays hidden; reversed, it is visible again. */
export function decideAppeal(
  target: ModerationTarget,
  current: ModerationCase | undefined,
  command: AppealDecision,
  context: DecisionContext,
) {
  assertVisible(target, current, context.actor);
  authorize(context.actor, { type: 'moderation.decide-appeal', municipalityId: target.municipalityId });
  if (current?.status !== 'hidden' || current.appeal?.status !== 'pending') {
    throw new ConflictError('There is no pending appeal to decide.');
  }
  const outcome = command.outcome === 'uphold' ? ('upheld' as const) : ('reversed' as const);
  const appeal = {
    ...current.appeal,
    status: outcome,
    decidedAt: context.now.toISOString(),
    decisionReason: command.reason,
  };
  const state =
    outcome === 'upheld'
      ? next(target, current, { appeal }, context)
      : visibleAgain(target, current, { appeal }, context);
  const event = createEvent(AppealDecided, eventEnvelope(target, context), {
    target: targetOf(target),
    outcome,
    reason: command.reason,
  });
  return { state, events: [event] as DomainEvent[] };
}
