import * as z from 'zod';
import type { Actor } from '#shared/domain/actor.ts';
import { isAllowed } from '#shared/domain/authorization.ts';
import { SlugSchema, UlidSchema } from '#shared/domain/common.ts';
import type { FieldIssue } from '#shared/domain/errors.ts';
import {
  type Initiative,
  OwnedInitiativeSchema,
  PublicInitiativeSchema,
  RegisterInitiativeSchema,
  toPublicInitiative,
  UpdateInitiativeSchema,
} from '#shared/domain/initiative.ts';
import {
  archiveInitiative,
  fallbackSlug,
  referenceIssues,
  registerInitiative,
  updateInitiative,
} from '#shared/domain/initiative-decisions.ts';
import { initiativeTarget, moderationShownTo } from '#shared/domain/moderation-decisions.ts';
import { SlugTakenError } from '#shared/ports.ts';
import { commitOf } from './commit.ts';
import { decisionContext, getDeps } from './deps.ts';
import { loadInitiative, loadInitiativeWithModeration } from './initiative-lookup.ts';

import { problemResponses } from './openapi-common.ts';
import { json, route, router } from './route.ts';

const IdParams = z.object({ id: UlidSchema });
// One parameter name per path position (API Gateway wants that): GET takes an id or a slug in it.
const IdOrSlugParams = z.object({ id: z.union([UlidSchema, SlugSchema]) });

export const ListQuerySchema = z
  .object({
    municipality: SlugSchema.optional(),
    neighbourhood: SlugSchema.optional(),
    theme: z.string().max(40).optional(),
    q: z.string().trim().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(2000).optional(),
  })
  .strict()
  .refine((query) => !query.neighbourhood || query.municipality, {
    path: ['neighbourhood'],
    message: 'needs municipality too: neighbourhood ids are per municipality',
  });

const InitiativePageSchema = z
  .object({ items: z.array(PublicInitiativeSchema), nextCursor: z.string().optional() })
  .meta({ id: 'InitiativePage' });

/** Owners see their initiative whole; everyone else sees its public view. */
function view(initiative: Initiative, actor: Actor | undefined) {
  return isAllowed(actor, { type: 'initiative.read-private', owners: initiative.owners })
    ? { ...initiative, viewerIsOwner: true }
    : toPublicInitiative(initiative);
}

async function municipalityReferences(body: unknown): Promise<FieldIssue[]> {
  const input = (body ?? {}) as { municipalityId?: unknown; neighbourhoodId?: unknown };
  if (!SlugSchema.safeParse(input.municipalityId).success) return [];
  return referenceIssues(input, await getDeps().municipalities.get(input.municipalityId as string));
}

export const listInitiatives = route(
  {
    method: 'GET',
    path: '/api/initiatives',
    operationId: 'listInitiatives',
    summary: 'Published initiatives, newest first, filtered by municipality, neighbourhood, theme or words.',
    auth: 'none',
    query: ListQuerySchema,
    responses: {
      200: { description: 'A page of initiatives', schema: InitiativePageSchema },
      ...problemResponses(400),
    },
  },
  async ({ query }) => {
    const page = await getDeps().initiatives.list(
      {
        municipalityId: query.municipality,
        neighbourhoodId: query.neighbourhood,
        theme: query.theme,
        q: query.q,
      },
      { limit: query.limit, cursor: query.cursor },
    );
    // Hidden initiatives are not in the page: the repository leaves them out.
    return json(200, { items: page.items.map(toPublicInitiative), nextCursor: page.nextCursor });
  },
);

export const registerInitiativeRoute = route(
  {
    method: 'POST',
    path: '/api/initiatives',
    operationId: 'registerInitiative',
    summary: 'Register an initiative; the caller becomes its first owner.',
    auth: 'required',
    body: RegisterInitiativeSchema,
    references: municipalityReferences,
    responses: {
      201: { description: 'Registered', schema: OwnedInitiativeSchema },
      ...problemResponses(400, 401, 422),
    },
  },
  async ({ body, actor, idempotency }) => {
    const municipality = await getDeps().municipalities.get(body.municipalityId);
    const context = decisionContext(actor);
    const register = async (slug?: string) => {
      const decision = registerInitiative(body, municipality, context, slug ? { slug } : {});
      const response = json(201, view(decision.state, actor), {
        location: `/api/initiatives/${decision.state.id}`,
      });
      await getDeps().initiatives.create(decision.state, commitOf(decision.events, response, idempotency));
      return { response, initiative: decision.state };
    };
    try {
      return (await register()).response;
    } catch (error) {
      if (!(error instanceof SlugTakenError)) throw error;
      // The name's slug is someone else's: the second try's slug ends in a fresh id's tail.
      return (await register(fallbackSlug(registerInitiative(body, municipality, context).state))).response;
    }
  },
);

export const getInitiative = route(
  {
    method: 'GET',
    path: '/api/initiatives/{id}',
    operationId: 'getInitiative',
    summary: 'An initiative by id or slug; its owners also see its private fields.',
    auth: 'optional',
    params: IdOrSlugParams,
    responses: {
      200: { description: 'The initiative', schema: PublicInitiativeSchema },
      ...problemResponses(404),
    },
  },
  async ({ params, actor }) => {
    const { initiative, moderation } = await loadInitiativeWithModeration(params.id);
    // A hidden initiative is a 404 but to its owners and staff, who also see why it was hidden.
    const shown = moderationShownTo(initiativeTarget(initiative), moderation, actor);
    return json(200, { ...view(initiative, actor), ...shown });
  },
);

export const updateInitiativeRoute = route(
  {
    method: 'PATCH',
    path: '/api/initiatives/{id}',
    operationId: 'updateInitiative',
    summary: "Change an initiative's page (owners only).",
    auth: 'required',
    params: IdParams,
    body: UpdateInitiativeSchema,
    responses: {
      200: { description: 'Updated', schema: OwnedInitiativeSchema },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  },
  async ({ params, body, actor, idempotency }) => {
    const initiative = await loadInitiative(params.id);
    const municipality = body.neighbourhoodId
      ? await getDeps().municipalities.get(initiative.municipalityId)
      : undefined;
    const decision = updateInitiative(initiative, body, municipality, decisionContext(actor));
    const response = json(200, view(decision.state, actor));
    await getDeps().initiatives.update(decision.state, commitOf(decision.events, response, idempotency));
    return response;
  },
);

export const archiveInitiativeRoute = route(
  {
    method: 'POST',
    path: '/api/initiatives/{id}/archive',
    operationId: 'archiveInitiative',
    summary: 'Archive an initiative (owners only): it leaves the lists, its page stays.',
    auth: 'required',
    params: IdParams,
    responses: {
      200: { description: 'Archived', schema: OwnedInitiativeSchema },
      ...problemResponses(401, 403, 404, 409),
    },
  },
  async ({ params, actor, idempotency }) => {
    const initiative = await loadInitiative(params.id);
    const decision = archiveInitiative(initiative, decisionContext(actor));
    const response = json(200, view(decision.state, actor));
    await getDeps().initiatives.update(decision.state, commitOf(decision.events, response, idempotency));
    return response;
  },
);

export const routes = [
  listInitiatives,
  registerInitiativeRoute,
  getInitiative,
  updateInitiativeRoute,
  archiveInitiativeRoute,
];

/** One Lambda function for the initiative routes. */
export const handler = router(routes);
