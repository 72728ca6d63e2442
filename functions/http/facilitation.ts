import * as z from 'zod';
import { authorize } from '#shared/domain/authorization.ts';
import { SlugSchema, UlidSchema } from '#shared/domain/common.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import {
  FacilitationRequestSchema,
  OfferFacilitationSchema,
  OfferSchema,
  RequestFacilitationSchema,
} from '#shared/domain/facilitation.ts';
import {
  canSeeOffer,
  changeOffer,
  closeRequest,
  type OfferCommand,
  offerFacilitation,
  requestFacilitation,
} from '#shared/domain/facilitation-decisions.ts';
import { listedModeration, requestTarget } from '#shared/domain/moderation-decisions.ts';
import { commitOf } from './commit.ts';
import { decisionContext, getDeps } from './deps.ts';
import { loadInitiative, loadVisibleInitiative } from './initiative-lookup.ts';
import { problemResponses } from './openapi-common.ts';
import { PageQuery, pageSchema } from './paging.ts';
import { json, type Route, route, router } from './route.ts';

const IdParams = z.object({ id: UlidSchema });

export const askForHelp = route(
  {
    method: 'POST',
    path: '/api/initiatives/{id}/requests',
    operationId: 'requestFacilitation',
    summary: "Ask the initiative's municipality for help (owners).",
    auth: 'required',
    params: IdParams,
    body: RequestFacilitationSchema,
    responses: {
      201: { description: 'Asked', schema: FacilitationRequestSchema },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  },
  async ({ params, body, actor, idempotency }) => {
    const initiative = await loadInitiative(params.id);
    const decision = requestFacilitation(initiative, body, decisionContext(actor));
    const response = json(201, decision.state, { location: `/api/requests/${decision.state.id}` });
    await getDeps().facilitation.saveRequest(
      decision.state,
      commitOf(decision.events, response, idempotency),
    );
    return response;
  },
);

export const listRequests = route(
  {
    method: 'GET',
    path: '/api/initiatives/{id}/requests',
    operationId: 'listFacilitationRequests',
    summary: "An initiative's requests for help, newest first.",
    auth: 'optional',
    params: IdParams,
    query: PageQuery,
    responses: {
      200: {
        description: 'Requests',
        schema: pageSchema(FacilitationRequestSchema, 'FacilitationRequestPage'),
      },
      ...problemResponses(400, 404),
    },
  },
  async ({ params, query, actor }) => {
    const initiative = await loadVisibleInitiative(params.id, actor);
    const result = await getDeps().facilitation.listRequests(params.id, query);
    // Hidden requests leave the list but for the owners and staff, who see why; the cursor still goes on.
    const cases = await getDeps().moderation.casesAmong(
      'request',
      result.items.map((request) => request.id),
    );
    const items = result.items.flatMap((request) => {
      const shown = listedModeration(requestTarget(request, initiative), cases.get(request.id), actor);
      return shown ? [{ ...request, ...shown }] : [];
    });
    return json(200, { ...result, items });
  },
);

export const closeRequestRoute = route(
  {
    method: 'POST',
    path: '/api/requests/{id}/close',
    operationId: 'closeFacilitationRequest',
    summary: 'Close a request: it needs no more answers (owners).',
    auth: 'required',
    params: IdParams,
    responses: {
      200: { description: 'Closed', schema: FacilitationRequestSchema },
      ...problemResponses(401, 403, 404, 409),
    },
  },
  async ({ params, actor, idempotency }) => {
    const request = await getDeps().facilitation.getRequest(params.id);
    if (!request) throw new NotFoundError(`No request ${params.id}.`);
    const decision = closeRequest(
      await loadInitiative(request.initiativeId),
      request,
      decisionContext(actor),
    );
    const response = json(200, decision.state);
    await getDeps().facilitation.saveRequest(
      decision.state,
      commitOf(decision.events, response, idempotency),
    );
    return response;
  },
);

export const makeOffer = route(
  {
    method: 'POST',
    path: '/api/initiatives/{id}/offers',
    operationId: 'offerFacilitation',
    summary:
      "Offer help to an initiative, in reply to a request or unasked (staff of the initiative's municipality).",
    auth: 'required',
    params: IdParams,
    body: OfferFacilitationSchema,
    responses: {
      201: { description: 'Offered', schema: OfferSchema },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  },
  async ({ params, body, actor, idempotency }) => {
    const initiative = await loadInitiative(params.id);
    const request = body.requestId ? await getDeps().facilitation.getRequest(body.requestId) : undefined;
    const decision = offerFacilitation(initiative, request, body, decisionContext(actor));
    const response = json(201, decision.state, { location: `/api/offers/${decision.state.id}` });
    await getDeps().facilitation.saveOffer(
      decision.state,
      decision.answeredRequest,
      commitOf(decision.events, response, idempotency),
    );
    return response;
  },
);

export const listOffers = route(
  {
    method: 'GET',
    path: '/api/initiatives/{id}/offers',
    operationId: 'listOffers',
    summary:
      "An initiative's offers, newest first: accepted and delivered ones for everyone, all of them for its owners and the offering municipality.",
    auth: 'optional',
    params: IdParams,
    query: PageQuery,
    responses: {
      200: { description: 'Offers', schema: pageSchema(OfferSchema, 'OfferPage') },
      ...problemResponses(400, 404),
    },
  },
  async ({ params, query, actor }) => {
    const initiative = await loadVisibleInitiative(params.id, actor);
    const result = await getDeps().facilitation.listOffers(params.id, query);
    // A page may hold fewer than `limit` offers for someone who may not see them all; the cursor still goes on.
    return json(200, {
      ...result,
      items: result.items.filter((offer) => canSeeOffer(initiative, offer, actor)),
    });
  },
);

function offerStep(command: OfferCommand, summary: string): Route {
  return route(
    {
      method: 'POST',
      path: `/api/offers/{id}/${command}`,
      operationId: `${command}Offer`,
      summary,
      auth: 'required',
      params: IdParams,
      responses: {
        200: { description: 'Done', schema: OfferSchema },
        ...problemResponses(401, 403, 404, 409),
      },
    },
    async ({ params, actor, idempotency }) => {
      const offer = await getDeps().facilitation.getOffer(params.id);
      if (!offer) throw new NotFoundError(`No offer ${params.id}.`);
      const decision = changeOffer(
        await loadInitiative(offer.initiativeId),
        offer,
        command,
        decisionContext(actor),
      );
      const response = json(200, decision.state);
      await getDeps().facilitation.saveOffer(
        decision.state,
        undefined,
        commitOf(decision.events, response, idempotency),
      );
      return response;
    },
  );
}

export const inbox = route(
  {
    method: 'GET',
    path: '/api/municipalities/{id}/inbox',
    operationId: 'facilitationInbox',
    summary: "A municipality's open requests and pending offers, oldest first (its staff).",
    auth: 'required',
    params: z.object({ id: SlugSchema }),
    query: PageQuery,
    responses: {
      200: {
        description: 'The inbox',
        schema: pageSchema(
          z.union([
            z.object({ type: z.literal('request'), request: FacilitationRequestSchema }),
            z.object({ type: z.literal('offer'), offer: OfferSchema }),
          ]),
          'InboxPage',
        ),
      },
      ...problemResponses(400, 401, 403),
    },
  },
  async ({ params, query, actor }) => {
    authorize(actor, { type: 'municipality.read-inbox', municipalityId: params.id });
    return json(200, await getDeps().facilitation.inbox(params.id, query), {
      'cache-control': 'private, no-store',
    });
  },
);

export const routes = [
  askForHelp,
  listRequests,
  closeRequestRoute,
  makeOffer,
  listOffers,
  offerStep('accept', 'Accept an offer (owners of the initiative).'),
  offerStep('decline', 'Decline an offer; no reason needed (owners of the initiative).'),
  offerStep('withdraw', 'Withdraw a pending offer (staff of the offering municipality).'),
  offerStep('deliver', 'Mark an accepted offer delivered (staff of the offering municipality).'),
  inbox,
];
export const handler = router(routes);
