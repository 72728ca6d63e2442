import { createEvent } from '../events/catalog.ts';
import { authorize, isAllowed, type PollOwnerFacts } from './authorization.ts';
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  UnauthenticatedError,
  ValidationError,
} from './errors.ts';
import type { Decision, DecisionContext } from './initiative-decisions.ts';
import { eventEnvelope } from './initiative-decisions.ts';
import { findNeighbourhood, type Municipality } from './municipality.ts';
import {
  AudienceSchema,
  type CreatePoll,
  type Poll,
  PollClosed,
  PollOpened,
  PollOwnerSchema,
  type PollResults,
  type Tally,
} from './poll.ts';
import type { Residence } from './poll-ports.ts';

/** What a poll decision needs to know of the initiative that owns a poll. */
export interface InitiativeOwnerFacts {
  id: string;
  municipalityId: string;
  owners: readonly string[];
  status: 'published' | 'archived';
}

/** Who asks for a change of state: the poll's owner by hand (with the facts to check it), or its schedule. */
export type PollTrigger = { by: 'owner'; owner: PollOwnerFacts } | { by: 'schedule' };

export function ownerFactsOf(poll: Poll, initiative: InitiativeOwnerFacts | undefined): PollOwnerFacts {
  if (poll.owner.kind === 'municipality') return { municipalityId: poll.municipalityId };
  // An initiative that is gone leaves its polls to nobody: an empty owner list allows no one.
  return { municipalityId: poll.municipalityId, initiativeOwners: initiative?.owners ?? [] };
}

/**
 * The references in a new poll that its schema cannot check: the owning municipality or initiative
 * must exist, and the audience's neighbourhoods must be the municipality's own. Takes the raw body,
 * so that it can run beside the schema and one answer names every bad field.
 */
export function pollReferenceIssues(
  input: { owner?: unknown; audience?: unknown },
  municipality: Municipality | undefined,
  initiative: InitiativeOwnerFacts | undefined,
): FieldIssue[] {
  const owner = PollOwnerSchema.safeParse(input.owner);
  if (!owner.success) return [];
  if (owner.data.kind === 'initiative') {
    if (!initiative) {
      return [{ path: 'owner.initiativeId', message: `unknown initiative "${owner.data.initiativeId}"` }];
    }
    if (initiative.status !== 'published') {
      return [{ path: 'owner.initiativeId', message: 'is archived: an archived initiative starts no polls' }];
    }
  }
  if (!municipality) {
    return owner.data.kind === 'municipality'
      ? [{ path: 'owner.municipalityId', message: `unknown municipality "${owner.data.municipalityId}"` }]
      : [];
  }
  const audience = AudienceSchema.safeParse(input.audience);
  if (!audience.success || audience.data.scope === 'municipality') return [];
  return audience.data.neighbourhoodIds.flatMap((id, index) =>
    findNeighbourhood(municipality, id)
      ? []
      : [
          {
            path: `audience.neighbourhoodIds.${index}`,
            message: `not a neighbourhood of ${municipality.name}`,
          },
        ],
  );
}

function envelope(poll: Poll, context: DecisionContext) {
  const { audience } = poll;
  // Every event names its place; a poll of exactly one neighbourhood has one to name.
  const neighbourhoodId =
    audience.scope === 'neighbourhoods' && audience.neighbourhoodIds.length === 1
      ? audience.neighbourhoodIds[0]
      : undefined;
  return eventEnvelope(
    { municipalityId: poll.municipalityId, ...(neighbourhoodId ? { neighbourhoodId } : {}) },
    context,
  );
}

function eventView(poll: Poll) {
  const { revision: _revision, finalTally: _finalTally, ...view } = poll;
  return view;
}

const utc = (iso: string) => new Date(iso).toISOString();

/**
 * A new poll, by its owner. It starts as a draft that its schedule opens at `opensAt`; one whose
 * `opensAt` has come already opens at once.
 */
export function createPoll(
  command: CreatePoll,
  references: { municipality: Municipality | undefined; initiative?: InitiativeOwnerFacts | undefined },
  context: DecisionContext,
): Decision<Poll> {
  const issues = pollReferenceIssues(command, references.municipality, references.initiative);
  const opensAt = utc(command.opensAt);
  const closesAt = utc(command.closesAt);
  const now = context.now.toISOString();
  if (closesAt <= now) issues.push({ path: 'closesAt', message: 'must be in the future' });
  if (issues.length > 0) throw new ValidationError(issues);
  const municipalityId =
    command.owner.kind === 'municipality'
      ? command.owner.municipalityId
      : (references.initiative as InitiativeOwnerFacts).municipalityId;
  authorize(context.actor, {
    type: 'poll.create',
    municipalityId,
    ...(references.initiative && command.owner.kind === 'initiative'
      ? { initiativeOwners: references.initiative.owners }
      : {}),
  });

  const opensNow = opensAt <= now;
  const poll: Poll = {
    id: context.newId(),
    municipalityId,
    owner: command.owner,
    language: command.language,
    question: command.question,
    description: command.description,
    options: command.options.map((label, index) => ({ id: `o${index + 1}`, label })),
    choice: command.choice,
    maxChoices: command.choice === 'single' ? 1 : (command.maxChoices ?? command.options.length),
    audience: command.audience,
    opensAt,
    closesAt,
    resultsVisibility: command.resultsVisibility,
    status: opensNow ? 'open' : 'draft',
    ...(opensNow ? { openedAt: now } : {}),
    createdAt: now,
    updatedAt: now,
    revision: 0,
  };
  const events = opensNow
    ? [createEvent(PollOpened, envelope(poll, context), { poll: eventView(poll) })]
    : [];
  return { state: poll, events };
}

function authorizeTrigger(
  type: 'poll.open' | 'poll.close',
  trigger: PollTrigger,
  context: DecisionContext,
): void {
  if (trigger.by === 'owner') authorize(context.actor, { type, ...trigger.owner });
}

export function openPoll(poll: Poll, trigger: PollTrigger, context: DecisionContext): Decision<Poll> {
  authorizeTrigger('poll.open', trigger, context);
  if (poll.status === 'open') throw new ConflictError('This poll is open already.');
  if (poll.status === 'closed') throw new ConflictError('A closed poll does not open again.');
  const now = context.now.toISOString();
  if (now >= poll.closesAt)
    throw new ConflictError('Its closing time has passed: this poll can no longer open.');
  const next: Poll = { ...poll, status: 'open', openedAt: now, updatedAt: now, revision: poll.revision + 1 };
  return {
    state: next,
    events: [createEvent(PollOpened, envelope(next, context), { poll: eventView(next) })],
  };
}

/**
 * Checks that the trigger may close this poll, before anything is sealed: a refused close must not
 * stop the poll taking ballots.
 */
export function assertMayClose(poll: Poll, trigger: PollTrigger, context: DecisionContext): void {
  authorizeTrigger('poll.close', trigger, context);
  if (poll.status === 'closed') throw new ConflictError('This poll is closed already.');
}

/** Every option of the poll, with 0 for those nobody chose, and nothing else. */
export function completeTally(poll: Poll, tally: Tally): Tally {
  return {
    ballots: tally.ballots,
    counts: Object.fromEntries(poll.options.map((option) => [option.id, tally.counts[option.id] ?? 0])),
  };
}

/**
 * Closes a draft or open poll with its final tally, which the caller read after sealing the count,
 * so no ballot can change it any more. A draft that closes (cancelled, or never opened) has no ballots.
 */
export function closePoll(poll: Poll, finalTally: Tally, trigger: PollTrigger, context: DecisionContext) {
  assertMayClose(poll, trigger, context);
  const now = context.now.toISOString();
  const tally = completeTally(poll, finalTally);
  const next: Poll = {
    ...poll,
    status: 'closed',
    closedAt: now,
    finalTally: tally,
    updatedAt: now,
    revision: poll.revision + 1,
  };
  const event = createEvent(PollClosed, envelope(next, context), {
    poll: eventView(next),
    ballots: tally.ballots,
    tally: tally.counts,
  });
  return { state: next, events: [event] } satisfies Decision<Poll>;
}

/** The choices of a ballot, checked against the poll and put in the poll's option order. */
export function validateChoices(poll: Poll, choices: readonly string[]): string[] {
  const known = new Set(poll.options.map((option) => option.id));
  const issues: FieldIssue[] = [];
  choices.forEach((choice, index) => {
    if (!known.has(choice))
      issues.push({ path: `choices.${index}`, message: 'is not an option of this poll' });
    else if (choices.indexOf(choice) !== index)
      issues.push({ path: `choices.${index}`, message: 'is chosen twice' });
  });
  if (choices.length === 0) issues.push({ path: 'choices', message: 'must choose at least one option' });
  if (choices.length > poll.maxChoices) {
    issues.push({
      path: 'choices',
      message:
        poll.maxChoices === 1
          ? 'this poll takes one choice'
          : `this poll takes at most ${poll.maxChoices} choices`,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return poll.options.map((option) => option.id).filter((id) => choices.includes(id));
}

/**
 * Whether this caller may cast these choices now; returns them in option order. The order of checks
 * is the order of the answers: the poll's state (409), the audience (403), the choices (400).
 */
export function decideBallot(
  poll: Poll,
  choices: readonly string[],
  residence: Residence | undefined,
  context: DecisionContext,
): string[] {
  if (!context.actor) throw new UnauthenticatedError('Sign in to vote.');
  if (poll.status === 'draft')
    throw new ConflictError(`This poll is not open yet; it opens at ${poll.opensAt}.`);
  // The clock, not only the status: a close that has not run yet lets no late ballot in.
  if (poll.status === 'closed' || context.now.toISOString() >= poll.closesAt) {
    throw new ConflictError('This poll is closed; ballots can no longer be cast or changed.');
  }
  const allowed = isAllowed(context.actor, {
    type: 'poll.vote',
    municipalityId: poll.municipalityId,
    audience: poll.audience,
    residence,
  });
  if (!allowed) {
    throw new ForbiddenError(
      poll.audience.scope === 'municipality'
        ? `This poll is for residents of ${poll.municipalityId}; your profile does not say you live there.`
        : `This poll is for residents of ${poll.audience.neighbourhoodIds.join(', ')} (${poll.municipalityId}); your profile does not say you live there.`,
    );
  }
  return validateChoices(poll, choices);
}

/**
 * What anyone may see of a poll's count: the final tally once closed, the running one while open if
 * the poll shows results live, and for a poll that shows them after closing only the number of ballots.
 */
export function resultsOf(poll: Poll, running: Tally): PollResults {
  const base = { pollId: poll.id, status: poll.status, resultsVisibility: poll.resultsVisibility };
  if (poll.status === 'closed' && poll.finalTally) {
    const final = completeTally(poll, poll.finalTally);
    return { ...base, ballots: final.ballots, tally: final.counts, final: true };
  }
  const tally = completeTally(poll, running);
  if (poll.status === 'open' && poll.resultsVisibility === 'after-close') {
    return {
      ...base,
      ballots: tally.ballots,
      tally: null,
      final: false,
      note: `This poll shows its results after it closes (at ${poll.closesAt}); until then only the number of ballots is shown.`,
    };
  }
  return { ...base, ballots: tally.ballots, tally: tally.counts, final: false };
}
