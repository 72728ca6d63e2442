import * as z from 'zod';
import { allEvents } from '../events/registry.ts';
import { IsoDateTimeSchema, SlugSchema, text, UlidSchema } from './common.ts';
import { SubscriptionKindSchema, SubscriptionStatusSchema } from './subscription-events.ts';

export {
  type SubscriptionKind,
  SubscriptionKindSchema,
  type SubscriptionStatus,
  SubscriptionStatusSchema,
  subscriptionKinds,
} from './subscription-events.ts';

const eventNames = allEvents.map((definition) => definition.name) as [string, ...string[]];
/** A detail-type from the catalog: the events a channel can subscribe to. */
export const EventTypeSchema = z.enum(eventNames);

export const WebhookUrlSchema = z.url({ protocol: /^https?$/ }).max(2000);
export const EventBusArnSchema = z
  .string()
  .max(1600)
  .regex(
    /^arn:aws(?:-[a-z]+)*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256}$/,
    'must be an EventBridge event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)',
  );

/** Which events reach a channel. An empty list means "all": every event type, every neighbourhood. */
const filterFields = {
  eventTypes: z.array(EventTypeSchema).max(50).default([]),
  /**
   * Neighbourhoods of the municipality. Events about the municipality as a whole (no neighbourhood)
   * reach every subscription whose event types admit them.
   */
  neighbourhoodIds: z.array(SlugSchema).max(200).default([]),
  description: text(0, 200).default(''),
};

export const CreateSubscriptionSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('webhook'), url: WebhookUrlSchema, ...filterFields }).strict(),
    z.object({ kind: z.literal('email'), address: z.email().max(320), ...filterFields }).strict(),
    z.object({ kind: z.literal('eventbus'), busArn: EventBusArnSchema, ...filterFields }).strict(),
  ])
  .meta({ id: 'CreateSubscription' });
export type CreateSubscription = z.infer<typeof CreateSubscriptionSchema>;

export const UpdateSubscriptionSchema = z
  .object({
    url: WebhookUrlSchema,
    address: z.email().max(320),
    busArn: EventBusArnSchema,
    eventTypes: z.array(EventTypeSchema).max(50),
    neighbourhoodIds: z.array(SlugSchema).max(200),
    description: text(0, 200),
    /** Staff pause and resume a channel; `active` also re-enables a failing or disabled one. */
    status: z.enum(['active', 'paused']),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, {
    message: 'must change at least one field',
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'UpdateSubscription' });
export type UpdateSubscription = z.infer<typeof UpdateSubscriptionSchema>;

export const SubscriptionSchema = z
  .object({
    id: UlidSchema,
    municipalityId: SlugSchema,
    kind: SubscriptionKindSchema,
    url: z.string().optional(),
    address: z.string().optional(),
    busArn: z.string().optional(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    neighbourhoodIds: z.array(z.string()),
    status: SubscriptionStatusSchema,
    /** Why it is failing or disabled. */
    statusReason: z.string().optional(),
    createdAt: IsoDateTimeSchema,
    updatedAt: IsoDateTimeSchema,
    revision: z.number().int().nonnegative(),
  })
  .meta({ id: 'Subscription' });
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** How deliveries to a channel have gone lately; kept by the dispatcher beside the subscription. */
export const SubscriptionHealthSchema = z
  .object({
    lastDeliveredAt: IsoDateTimeSchema.optional(),
    lastFailedAt: IsoDateTimeSchema.optional(),
    /** The first failure since the last success: a day of failures marks the channel failing. */
    failingSince: IsoDateTimeSchema.optional(),
    lastError: z.string().optional(),
  })
  .meta({ id: 'SubscriptionHealth' });
export type SubscriptionHealth = z.infer<typeof SubscriptionHealthSchema>;

/** What staff see of a subscription: never its secret. */
export const SubscriptionViewSchema = SubscriptionSchema.extend({ health: SubscriptionHealthSchema }).meta({
  id: 'SubscriptionView',
});

/** The answer to a webhook's creation: the only time its signing secret is shown. */
export const CreatedSubscriptionSchema = SubscriptionViewSchema.extend({
  secret: z
    .string()
    .optional()
    .describe(
      'The webhook signing secret (whsec_…), for verifying the Standard Webhooks signature. Shown once.',
    ),
}).meta({ id: 'CreatedSubscription' });

/** The subscription's filter as an EventBridge pattern, matched against each event as the bus sees it. */
export function filterPattern(subscription: Pick<Subscription, 'eventTypes' | 'neighbourhoodIds'>) {
  return {
    // EventBridge refuses an empty pattern: "every Plein event" is said with the source.
    source: [{ prefix: 'plein.' }],
    ...(subscription.eventTypes.length > 0 ? { 'detail-type': [...subscription.eventTypes] } : {}),
    ...(subscription.neighbourhoodIds.length > 0
      ? { detail: { neighbourhoodId: [...subscription.neighbourhoodIds, { exists: false }] } }
      : {}),
  };
}

/** Whether new deliveries are made for this subscription: a failing one is still tried, so it can recover. */
export function receivesDeliveries(subscription: Pick<Subscription, 'status'>): boolean {
  return subscription.status === 'active' || subscription.status === 'failing';
}
