import type { IdempotencyRecord } from '../ports.ts';
import type { Actor } from './actor.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import type { Poll } from './poll.ts';
import { assertMayClose, closePoll, openPoll, type PollTrigger } from './poll-decisions.ts';
import type { PollRepository, ScheduledPollAction } from './poll-ports.ts';

/** What opening and closing need from the world; the HTTP handlers and the schedule's handler both pass it. */
export interface PollLifecycleDeps {
  polls: PollRepository;
  now: () => Date;
  newId: () => string;
}

interface Caller {
  actor?: Actor | undefined;
  /** The HTTP edge's Idempotency-Key record for the answer this state makes, committed with it. */
  idempotency?: ((state: Poll) => IdempotencyRecord | undefined) | undefined;
}

/** A close may meet a concurrent open or close; it reloads and decides again, this many times at most. */
const CLOSE_ATTEMPTS = 3;

const contextOf = (deps: PollLifecycleDeps, actor: Actor | undefined) => ({
  actor,
  now: deps.now(),
  newId: deps.newId,
});

async function reload(deps: PollLifecycleDeps, pollId: string): Promise<Poll> {
  const poll = await deps.polls.get(pollId);
  if (!poll) throw new NotFoundError(`No poll ${pollId}.`);
  return poll;
}

export async function openPollNow(
  deps: PollLifecycleDeps,
  poll: Poll,
  trigger: PollTrigger,
  caller: Caller = {},
): Promise<Poll> {
  const decision = openPoll(poll, trigger, contextOf(deps, caller.actor));
  await deps.polls.open(decision.state, {
    events: decision.events,
    idempotency: caller.idempotency?.(decision.state),
  });
  return decision.state;
}

/**
 * Closes a poll with an exact final tally: seal the count first (after that no ballot lands), then
 * read it, then commit the closed poll and PollClosed together. A crash between the steps leaves a
 * sealed poll that refuses ballots and that the next close (the schedule retries) finishes.
 */
export async function closePollNow(
  deps: PollLifecycleDeps,
  poll: Poll,
  trigger: PollTrigger,
  caller: Caller = {},
): Promise<Poll> {
  let current = poll;
  for (let attempt = 1; ; attempt++) {
    assertMayClose(current, trigger, contextOf(deps, caller.actor));
    await deps.polls.seal(current.id);
    const tally = await deps.polls.tally(current.id);
    const decision = closePoll(current, tally, trigger, contextOf(deps, caller.actor));
    try {
      await deps.polls.close(decision.state, {
        events: decision.events,
        idempotency: caller.idempotency?.(decision.state),
      });
      return decision.state;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= CLOSE_ATTEMPTS) throw error;
      current = await reload(deps, current.id);
    }
  }
}

export type ScheduleOutcome = 'opened' | 'closed' | 'unchanged' | 'missing';

/**
 * Applies what a poll's schedule asks, idempotently: a repeated or late action changes nothing that
 * has happened already. An `open` that comes after `closesAt` closes the poll instead.
 */
export async function applyScheduledAction(
  deps: PollLifecycleDeps,
  { pollId, action }: ScheduledPollAction,
): Promise<ScheduleOutcome> {
  const poll = await deps.polls.get(pollId);
  if (!poll) return 'missing';
  const schedule: PollTrigger = { by: 'schedule' };
  if (poll.status === 'closed') return 'unchanged';
  if (action === 'open') {
    if (poll.status !== 'draft') return 'unchanged';
    if (deps.now().toISOString() < poll.closesAt) {
      try {
        await openPollNow(deps, poll, schedule);
        return 'opened';
      } catch (error) {
        if (error instanceof ConflictError && (await reload(deps, pollId)).status !== 'draft')
          return 'unchanged';
        throw error;
      }
    }
  }
  try {
    await closePollNow(deps, poll, schedule);
    return 'closed';
  } catch (error) {
    if (error instanceof ConflictError && (await reload(deps, pollId)).status === 'closed')
      return 'unchanged';
    throw error;
  }
}
