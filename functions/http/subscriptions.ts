import * as z from 'zod';
import type { Actor } from '#shared/domain/actor.ts';
import { authorize } from '#shared/domain/authorization.ts';
import { SlugSchema, UlidSchema } from '#shared/domain/common.ts';
import {
  DeliveryIdSchema,
  DeliverySchema,
  DeliveryStatusSchema,
  replayDelivery,
} from '#shared/domain/delivery.ts';
import { NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { Municipality } from '#shared/domain/municipality.ts';
import { checkWebhookUrl } from '#shared/domain/ssrf.ts';
import {
  CreatedSubscriptionSchema,
  CreateSubscriptionSchema,
  type Subscription,
  type SubscriptionHealth,
  SubscriptionViewSchema,
  UpdateSubscriptionSchema,
} from '#shared/domain/subscription.ts';
import {
  createSubscription,
  deleteSubscription,
  seeChannelItem,
  updateSubscription,
} from '#shared/domain/subscription-decisions.ts';
import { newWebhookSecret } from '../adapters/channels/secret-box.ts';
import { decisionContext, getDeps } from './deps.ts';
import { problemResponses } from './openapi-common.ts';
import { PageQuery, pageSchema } from './paging.ts';
import { json, route, router } from './route.ts';

const MunicipalityParams = z.object({ id: SlugSchema });
const IdParams = z.object({ id: UlidSchema });
const PRIVATE = { 'cache-control': 'private, no-store' };

async function loadMunicipality(id: string): Promise<Municipality> {
  const municipality = await getDeps().municipalities.get(id);
  if (!municipality) throw new NotFoundError(`No municipality ${id}.`);
  return municipality;
}

async function loadSubscription(actor: Actor | undefined, id: string) {
  const found = await getDeps().subscriptions.get(id);
  seeChannelItem(actor, found?.subscription, `No subscription ${id}.`);
  return found as NonNullable<typeof found>;
}

/** A webhook URL must pass the SSRF rules (ssrf.ts): public https in AWS, loopback http allowed locally. */
async function assertWebhookUrl(url: string | undefined) {
  if (url === undefined) return;
  const verdict = await checkWebhookUrl(url, getDeps().channels.urlPolicy());
  if (!verdict.ok) throw new ValidationError([{ path: 'url', message: verdict.reason }]);
}

const view = (subscription: Subscription, health: SubscriptionHealth) => ({ ...subscription, health });

export const createSubscriptionRoute = route(
  {
    method: 'POST',
    path: '/api/municipalities/{id}/subscriptions',
    operationId: 'createSubscription',
    summary:
      "Subscribe a channel (webhook, email or EventBridge bus) to the municipality's events (its staff). A webhook's signing secret is in this answer only.",
    auth: 'required',
    params: MunicipalityParams,
    body: CreateSubscriptionSchema,
    responses: {
      201: { description: 'Subscribed', schema: CreatedSubscriptionSchema },
      ...problemResponses(400, 401, 403, 404),
    },
  },
  async ({ params, body, actor, idempotency }) => {
    const municipality = await loadMunicipality(params.id);
    authorize(actor, { type: 'subscription.manage', municipalityId: municipality.id });
    await assertWebhookUrl(body.kind === 'webhook' ? body.url : undefined);
    const subscription = createSubscription(municipality, body, decisionContext(actor));
    const secret = body.kind === 'webhook' ? newWebhookSecret() : undefined;
    const sealed = secret ? await getDeps().channels.secrets().seal(secret, subscription.id) : undefined;
    const headers = { location: `/api/subscriptions/${subscription.id}`, ...PRIVATE };
    // A retry with the same Idempotency-Key gets this answer again, without the secret: it is never stored in the clear.
    const stored = json(201, view(subscription, {}), headers);
    await getDeps().subscriptions.create(subscription, sealed, {
      events: [],
      idempotency: idempotency?.record(stored),
    });
    return secret ? json(201, { ...view(subscription, {}), secret }, headers) : stored;
  },
);

export const listSubscriptions = route(
  {
    method: 'GET',
    path: '/api/municipalities/{id}/subscriptions',
    operationId: 'listSubscriptions',
    summary: "The municipality's subscriptions, newest first, with how their deliveries go (its staff).",
    auth: 'required',
    params: MunicipalityParams,
    query: PageQuery,
    responses: {
      200: { description: 'Subscriptions', schema: pageSchema(SubscriptionViewSchema, 'SubscriptionPage') },
      ...problemResponses(400, 401, 403, 404),
    },
  },
  async ({ params, query, actor }) => {
    const municipality = await loadMunicipality(params.id);
    authorize(actor, { type: 'subscription.read', municipalityId: municipality.id });
    return json(200, await getDeps().subscriptions.list(municipality.id, query), PRIVATE);
  },
);

export const getSubscription = route(
  {
    method: 'GET',
    path: '/api/subscriptions/{id}',
    operationId: 'getSubscription',
    summary: 'A subscription, its status and how its deliveries go (staff of its municipality).',
    auth: 'required',
    params: IdParams,
    responses: {
      200: { description: 'The subscription', schema: SubscriptionViewSchema },
      ...problemResponses(401, 404),
    },
  },
  async ({ params, actor }) => {
    const { subscription, health } = await loadSubscription(actor, params.id);
    return json(200, view(subscription, health), PRIVATE);
  },
);

export const updateSubscriptionRoute = route(
  {
    method: 'PATCH',
    path: '/api/subscriptions/{id}',
    operationId: 'updateSubscription',
    summary:
      "Change a subscription's address, filter or description, or pause and resume it (staff of its municipality).",
    auth: 'required',
    params: IdParams,
    body: UpdateSubscriptionSchema,
    responses: {
      200: { description: 'Changed', schema: SubscriptionViewSchema },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  },
  async ({ params, body, actor, idempotency }) => {
    const { subscription, health } = await loadSubscription(actor, params.id);
    const municipality = await loadMunicipality(subscription.municipalityId);
    authorize(actor, { type: 'subscription.manage', municipalityId: municipality.id });
    if (subscription.kind === 'webhook') await assertWebhookUrl(body.url);
    const next = updateSubscription(municipality, subscription, body, decisionContext(actor));
    const response = json(200, view(next, health), PRIVATE);
    await getDeps().subscriptions.save(next, { events: [], idempotency: idempotency?.record(response) });
    return response;
  },
);

export const deleteSubscriptionRoute = route(
  {
    method: 'DELETE',
    path: '/api/subscriptions/{id}',
    operationId: 'deleteSubscription',
    summary:
      'Delete a subscription; deliveries still waiting for it are given up (staff of its municipality).',
    auth: 'required',
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404, 409) },
  },
  async ({ params, actor, idempotency }) => {
    const { subscription } = await loadSubscription(actor, params.id);
    deleteSubscription(subscription, decisionContext(actor));
    const response = { statusCode: 204, headers: PRIVATE, body: '' };
    await getDeps().subscriptions.delete(subscription, {
      events: [],
      idempotency: idempotency?.record(response),
    });
    return response;
  },
);

export const rotateSecret = route(
  {
    method: 'POST',
    path: '/api/subscriptions/{id}/secret',
    operationId: 'rotateSubscriptionSecret',
    summary:
      'Give a webhook a new signing secret, shown in this answer only; the old one stops working at once (staff of its municipality).',
    auth: 'required',
    params: IdParams,
    responses: {
      200: { description: 'The new secret', schema: CreatedSubscriptionSchema },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  },
  async ({ params, actor }) => {
    const { subscription, health } = await loadSubscription(actor, params.id);
    authorize(actor, { type: 'subscription.manage', municipalityId: subscription.municipalityId });
    if (subscription.kind !== 'webhook') {
      throw new ValidationError([{ path: '', message: `a ${subscription.kind} subscription has no secret` }]);
    }
    const secret = newWebhookSecret();
    const next = {
      ...subscription,
      updatedAt: getDeps().now().toISOString(),
      revision: subscription.revision + 1,
    };
    await getDeps().subscriptions.save(
      next,
      { events: [] },
      await getDeps().channels.secrets().seal(secret, next.id),
    );
    return json(200, { ...view(next, health), secret }, PRIVATE);
  },
);

export const listDeliveries = route(
  {
    method: 'GET',
    path: '/api/municipalities/{id}/deliveries',
    operationId: 'listDeliveries',
    summary: "The municipality's deliveries, newest first, optionally of one status (its staff).",
    auth: 'required',
    params: MunicipalityParams,
    query: PageQuery.extend({ status: DeliveryStatusSchema.optional() }),
    responses: {
      200: { description: 'Deliveries', schema: pageSchema(DeliverySchema, 'DeliveryPage') },
      ...problemResponses(400, 401, 403, 404),
    },
  },
  async ({ params, query, actor }) => {
    const municipality = await loadMunicipality(params.id);
    authorize(actor, { type: 'delivery.read', municipalityId: municipality.id });
    const { status, ...pageRequest } = query;
    return json(200, await getDeps().deliveries.list(municipality.id, status, pageRequest), PRIVATE);
  },
);

export const getDelivery = route(
  {
    method: 'GET',
    path: '/api/deliveries/{id}',
    operationId: 'getDelivery',
    summary: 'A delivery: its event, tries and last error (staff of its municipality).',
    auth: 'required',
    params: z.object({ id: DeliveryIdSchema }),
    responses: {
      200: { description: 'The delivery', schema: DeliverySchema },
      ...problemResponses(401, 404),
    },
  },
  async ({ params, actor }) => {
    const delivery = seeChannelItem(
      actor,
      await getDeps().deliveries.get(params.id),
      `No delivery ${params.id}.`,
      'delivery.read',
    );
    return json(200, delivery, PRIVATE);
  },
);

export const replayDeliveryRoute = route(
  {
    method: 'POST',
    path: '/api/deliveries/{id}/replay',
    operationId: 'replayDelivery',
    summary:
      'Send a dead or failed delivery again, now, with a fresh round of tries (staff of its municipality).',
    auth: 'required',
    params: z.object({ id: DeliveryIdSchema }),
    responses: {
      200: { description: 'Queued again', schema: DeliverySchema },
      ...problemResponses(401, 403, 404, 409),
    },
  },
  async ({ params, actor, idempotency }) => {
    const delivery = seeChannelItem(
      actor,
      await getDeps().deliveries.get(params.id),
      `No delivery ${params.id}.`,
      'delivery.read',
    );
    const next = replayDelivery(delivery, actor, getDeps().now());
    const response = json(200, next, PRIVATE);
    await getDeps().deliveries.saveReplay(next, { events: [], idempotency: idempotency?.record(response) });
    return response;
  },
);

export const routes = [
  createSubscriptionRoute,
  listSubscriptions,
  getSubscription,
  updateSubscriptionRoute,
  deleteSubscriptionRoute,
  rotateSecret,
  listDeliveries,
  getDelivery,
  replayDeliveryRoute,
];
export const handler = router(routes);
