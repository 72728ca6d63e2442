import * as z from 'zod';
import type { Actor } from '#shared/domain/actor.ts';
import { authorize, isAllowed, type PollOwnerFacts } from '#shared/domain/authorization.ts';
import { SlugSchema, UlidSchema } from '#shared/domain/common.ts';
import { type FieldIssue, NotFoundError } from '#shared/domain/errors.ts';
import { moderationShownTo, pollTarget } from '#shared/domain/moderation-decisions.ts';
import {
  BallotSchema,
  CastBallotSchema,
  CreatePollSchema,
  type Poll,
  type PollOwner,
  PollOwnerSchema,
  PollResultsSchema,
  PollStatusSchema,
  PublicPollSchema,
  toPublicPoll,
} from '#shared/domain/poll.ts';
import {
  createPoll,
  decideBallot,
  ownerFactsOf,
  type PollTrigger,
  pollReferenceIssues,
  resultsOf,
} from '#shared/domain/poll-decisions.ts';
import { closePollNow, openPollNow } from '#shared/domain/poll-lifecycle.ts';
import { ballotIdOf } from '#shared/domain/poll-secrecy.ts';
import { commitOf } from './commit.ts';
import { decisionContext, getDeps } from './deps.ts';
import { problemResponses } from './openapi-common.ts';
import { type HttpResponse, json, route, router } from './route.ts';

const IdParams = z.object({ id: UlidSchema });

export const ListPollsQuerySchema = z
  .object({
    municipality: SlugSchema.optional(),
    neighbourhood: SlugSchema.optional(),
    status: PollStatusSchema.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(2000).optional(),
  })
  .strict()
  .refine((query) => !query.neighbourhood || query.municipality, {
    path: ['neighbourhood'],
    message: 'needs municipality too: neighbourhood ids are per municipality',
  })
  .refine((query) => query.status !== 'draft' || query.municipality, {
    path: ['municipality'],
    message: "is needed to list drafts: they are listed to their municipality's staff only",
  });

const PollPageSchema = z
  .object({ items: z.array(PublicPollSchema), nextCursor: z.string().optional() })
  .meta({ id: 'PollPage' });

function lifecycle() {
  const { polls, now, newId } = getDeps();
  return { polls, now, newId };
}

async function referencesOf(owner: PollOwner) {
  const { municipalities, initiatives } = getDeps();
  if (owner.kind === 'municipality') return { municipality: await municipalities.get(owner.municipalityId) };
  const initiative = await initiatives.get(owner.initiativeId);
  return {
    initiative,
    municipality: initiative ? await municipalities.get(initiative.municipalityId) : undefined,
  };
}

async function creationReferences(body: unknown): Promise<FieldIssue[]> {
  const input = (body ?? {}) as { owner?: unknown; audience?: unknown };
  const owner = PollOwnerSchema.safeParse(input.owner);
  if (!owner.success) return [];
  const { municipality, initiative } = await referencesOf(owner.data);
  return pollReferenceIssues(input, municipality, initiative);
}

async function ownerFacts(poll: Poll): Promise<PollOwnerFacts> {
  const initiative =
    poll.owner.kind === 'initiative' ? await getDeps().initiatives.get(poll.owner.initiativeId) : undefined;
  return ownerFactsOf(poll, initiative);
}

/** A poll as this caller may see it: a draft exists for its owners only, a hidden poll for its owners and staff. */
async function loadVisiblePoll(id: string, actor: Actor | undefined): Promise<Poll> {
  return (await loadVisiblePollModerated(id, actor)).poll;
}

/** As `loadVisiblePoll`, with the moderation state its owners and staff see on it. */
async function loadVisiblePollModerated(id: string, actor: Actor | undefined) {
  const [poll, moderation] = await Promise.all([
    getDeps().polls.get(id),
    getDeps().moderation.getCase('poll', id),
  ]);
  const shown =
    poll && moderation ? moderationShownTo(pollTarget(poll, await ownerFacts(poll)), moderation, actor) : {};
  if (
    poll?.status === 'draft' &&
    isAllowed(actor, { type: 'poll.read-draft', ...(await ownerFacts(poll)) })
  ) {
    return { poll, shown };
  }
  if (!poll || poll.status === 'draft') throw new NotFoundError(`No poll ${id}.`);
  return { poll, shown };
}

const pollResponse = (poll: Poll, status = 200): HttpResponse =>
  json(status, toPublicPoll(poll), status === 201 ? { location: `/api/polls/${poll.id}` } : {});

export const listPolls = route(
  {
    method: 'GET',
    path: '/api/polls',
    operationId: 'listPolls',
    summary:
      'Polls, open ones first, newest first; by municipality, by neighbourhood (its own polls and the ' +
      "municipality-wide ones) and by status. Drafts only for their municipality's staff.",
    auth: 'optional',
    query: ListPollsQuerySchema,
    responses: {
      200: { description: 'A page of polls', schema: PollPageSchema },
      ...problemResponses(400, 401, 403),
    },
  },
  async ({ query, actor }) => {
    if (query.status === 'draft') {
      authorize(actor, { type: 'poll.read-draft', municipalityId: query.municipality as string });
    }
    const page = await getDeps().polls.list(
      { municipalityId: query.municipality, neighbourhoodId: query.neighbourhood, status: query.status },
      { limit: query.limit, cursor: query.cursor },
    );
    // Hidden polls leave every list; a page may hold fewer than `limit`, the cursor still goes on.
    const hidden = await getDeps().moderation.hiddenAmong(
      'poll',
      page.items.map((poll) => poll.id),
    );
    const items = page.items.filter((poll) => !hidden.has(poll.id));
    return json(200, { items: items.map(toPublicPoll), nextCursor: page.nextCursor });
  },
);

export const createPollRoute = route(
  {
    method: 'POST',
    path: '/api/polls',
    operationId: 'createPoll',
    summary:
      "Create a poll: municipal polls by the municipality's staff, an initiative's polls by its owners. " +
      'It opens at opensAt (at once if that has come) and closes at closesAt, by itself.',
    auth: 'required',
    body: CreatePollSchema,
    references: creationReferences,
    responses: {
      201: { description: 'Created, as a draft or already open', schema: PublicPollSchema },
      ...problemResponses(400, 401, 403, 422),
    },
  },
  async ({ body, actor, idempotency }) => {
    const decision = createPoll(body, await referencesOf(body.owner), decisionContext(actor));
    const response = pollResponse(decision.state, 201);
    await getDeps().polls.create(decision.state, commitOf(decision.events, response, idempotency));
    return response;
  },
);

export const getPoll = route(
  {
    method: 'GET',
    path: '/api/polls/{id}',
    operationId: 'getPoll',
    summary: 'A poll; a draft only for its owners.',
    auth: 'optional',
    params: IdParams,
    responses: { 200: { description: 'The poll', schema: PublicPollSchema }, ...problemResponses(404) },
  },
  async ({ params, actor }) => {
    const { poll, shown } = await loadVisiblePollModerated(params.id, actor);
    return json(200, { ...toPublicPoll(poll), ...shown });
  },
);

function changeRoute(action: 'open' | 'close') {
  return route(
    {
      method: 'POST',
      path: `/api/polls/{id}/${action}`,
      operationId: action === 'open' ? 'openPoll' : 'closePoll',
      summary:
        action === 'open'
          ? 'Open a draft poll now, before its opensAt (its owner).'
          : 'Close a poll now, before its closesAt (its owner); the final tally is sealed and published.',
      auth: 'required',
      params: IdParams,
      responses: {
        200: { description: action === 'open' ? 'Opened' : 'Closed', schema: PublicPollSchema },
        ...problemResponses(401, 403, 404, 409, 422),
      },
    },
    async ({ params, actor, idempotency }) => {
      const poll = await loadVisiblePoll(params.id, actor);
      const trigger: PollTrigger = { by: 'owner', owner: await ownerFacts(poll) };
      const caller = { actor, idempotency: (state: Poll) => idempotency?.record(pollResponse(state)) };
      const state =
        action === 'open'
          ? await openPollNow(lifecycle(), poll, trigger, caller)
          : await closePollNow(lifecycle(), poll, trigger, caller);
      return pollResponse(state);
    },
  );
}

export const castBallot = route(
  {
    method: 'PUT',
    path: '/api/polls/{id}/ballot',
    operationId: 'castBallot',
    summary:
      "Cast or change the caller's ballot (a resident of the poll's audience), until the poll closes. " +
      'Idempotent by itself; an Idempotency-Key is not stored here, since a stored answer would sit beside a choice.',
    auth: 'required',
    params: IdParams,
    body: CastBallotSchema,
    responses: {
      200: {
        description: 'Counted; `replaced` tells whether it replaced an earlier ballot',
        schema: BallotSchema,
      },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  },
  async ({ params, body, actor }) => {
    const deps = getDeps();
    const poll = await loadVisiblePoll(params.id, actor);
    const context = decisionContext(actor);
    const residence = actor ? await deps.residency.residenceOf(actor) : undefined;
    const choices = decideBallot(poll, body.choices, residence, context);
    const ballotId = ballotIdOf(await deps.ballotKeys.ballotKey(), poll.id, (actor as Actor).userId);
    const { replaced } = await deps.polls.cast(poll.id, ballotId, choices, context.now);
    return json(200, { pollId: poll.id, choices, replaced }, { 'cache-control': 'no-store' });
  },
);

export const getOwnBallot = route(
  {
    method: 'GET',
    path: '/api/polls/{id}/ballot',
    operationId: 'getOwnBallot',
    summary: "The caller's own current ballot: only they can find it, by their own id.",
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'Your ballot', schema: BallotSchema }, ...problemResponses(401, 404) },
  },
  async ({ params, actor }) => {
    const deps = getDeps();
    const poll = await loadVisiblePoll(params.id, actor);
    const ballotId = ballotIdOf(await deps.ballotKeys.ballotKey(), poll.id, (actor as Actor).userId);
    const choices = await deps.polls.find(poll.id, ballotId);
    if (!choices) throw new NotFoundError('You have not voted in this poll.');
    return json(200, { pollId: poll.id, choices }, { 'cache-control': 'private, no-store' });
  },
);

export const getResults = route(
  {
    method: 'GET',
    path: '/api/polls/{id}/results',
    operationId: 'getPollResults',
    summary:
      'Ballots and the count per option: final once closed; while open, live or (for a poll that shows ' +
      'results after closing) only the number of ballots, with `tally: null` and a note saying why.',
    auth: 'optional',
    params: IdParams,
    responses: { 200: { description: 'The results', schema: PollResultsSchema }, ...problemResponses(404) },
  },
  async ({ params, actor }) => {
    const poll = await loadVisiblePoll(params.id, actor);
    const running =
      poll.status === 'closed' ? { ballots: 0, counts: {} } : await getDeps().polls.tally(poll.id);
    // Live counts may be a few seconds old at the edge; a draft's are its owners' business.
    const caching = { closed: 'public, max-age=300', open: 'public, max-age=2', draft: 'private, no-store' };
    return json(200, resultsOf(poll, running), { 'cache-control': caching[poll.status] });
  },
);

export const routes = [
  listPolls,
  createPollRoute,
  getPoll,
  changeRoute('open'),
  changeRoute('close'),
  castBallot,
  getOwnBallot,
  getResults,
];

/** One Lambda function for the poll routes. */
export const handler = router(routes);
