import * as z from 'zod';
import { read, segment, send } from './api.ts';

/**
 * A municipality's channels in the API's words: its subscriptions (webhooks, email, event buses)
 * and the deliveries made to them. Staff of the municipality only; the API decides, every call.
 */

/** The events a webhook can ask for, as the API's event catalog names them. */
export const eventTypes = [
  'InitiativeRegistered',
  'InitiativeUpdated',
  'InitiativeArchived',
  'FacilitationRequested',
  'FacilitationRequestClosed',
  'FacilitationOffered',
  'OfferAccepted',
  'OfferDeclined',
  'OfferWithdrawn',
  'FacilitationDelivered',
  'PollOpened',
  'PollClosed',
  'SubscriptionFailing',
] as const;

export type EventType = (typeof eventTypes)[number];

export const subscriptionStatuses = ['active', 'paused', 'failing', 'disabled'] as const;
export const deliveryStatuses = ['pending', 'delivered', 'failed', 'dead'] as const;

const SubscriptionSchema = z.object({
  id: z.string(),
  municipalityId: z.string(),
  kind: z.enum(['webhook', 'email', 'eventbus']),
  url: z.string().optional(),
  address: z.string().optional(),
  busArn: z.string().optional(),
  description: z.string(),
  eventTypes: z.array(z.string()),
  status: z.enum(subscriptionStatuses),
  statusReason: z.string().optional(),
  createdAt: z.string(),
  health: z.object({
    lastDeliveredAt: z.string().optional(),
    lastFailedAt: z.string().optional(),
    lastError: z.string().optional(),
  }),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;
const CreatedSchema = SubscriptionSchema.extend({ secret: z.string().optional() });

const DeliverySchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  kind: z.string(),
  event: z.object({ detailType: z.string() }),
  status: z.enum(deliveryStatuses),
  attempts: z.number(),
  replays: z.number(),
  createdAt: z.string(),
  lastAttemptAt: z.string().optional(),
  deliveredAt: z.string().optional(),
  lastError: z.string().optional(),
  lastResponseStatus: z.number().optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

export function createChannelsApi(token: string) {
  const municipality = (id: string) => `/api/municipalities/${segment(id)}`;
  const subscription = (id: string) => `/api/subscriptions/${segment(id)}`;
  const pageQuery = (cursor?: string) => new URLSearchParams({ limit: '50', ...(cursor ? { cursor } : {}) });
  return {
    listSubscriptions: (municipalityId: string, cursor?: string) =>
      read(
        page(SubscriptionSchema),
        'GET',
        `${municipality(municipalityId)}/subscriptions?${pageQuery(cursor)}`,
        token,
      ),
    /** A new subscription; a webhook's answer holds its signing secret, this once. */
    subscribe: (municipalityId: string, body: Record<string, unknown>, idempotencyKey: string) =>
      send(CreatedSchema, 'POST', `${municipality(municipalityId)}/subscriptions`, {
        token,
        body,
        idempotencyKey,
      }),
    setStatus: (id: string, status: 'active' | 'paused', idempotencyKey: string) =>
      send(SubscriptionSchema, 'PATCH', subscription(id), { token, body: { status }, idempotencyKey }),
    unsubscribe: (id: string, idempotencyKey: string) =>
      send(z.unknown(), 'DELETE', subscription(id), { token, idempotencyKey }),
    /** A new signing secret for a webhook, shown this once; the old one stops working. */
    rotateSecret: (id: string) => send(CreatedSchema, 'POST', `${subscription(id)}/secret`, { token }),
    listDeliveries: (municipalityId: string, status?: string, cursor?: string) => {
      const query = pageQuery(cursor);
      if (status) query.set('status', status);
      return read(page(DeliverySchema), 'GET', `${municipality(municipalityId)}/deliveries?${query}`, token);
    },
    replay: (id: string, idempotencyKey: string) =>
      send(DeliverySchema, 'POST', `/api/deliveries/${segment(id)}/replay`, { token, idempotencyKey }),
  };
}
export type ChannelsApi = ReturnType<typeof createChannelsApi>;
