import * as z from 'zod';
import { defineEvent, sources } from '../events/catalog.ts';
import { IsoDateTimeSchema, UlidSchema } from './common.ts';

// Kept apart from subscription.ts, which reads the event registry: the registry reads this module.

export const subscriptionKinds = ['webhook', 'email', 'eventbus'] as const;
export const SubscriptionKindSchema = z.enum(subscriptionKinds);
export type SubscriptionKind = z.infer<typeof SubscriptionKindSchema>;

/**
 * active: receives deliveries. paused: by its staff, receives none. failing: every delivery has failed for
 * a day; still tried, and active again after the first success. disabled: the receiver answered 410 Gone
 * (or staff disabled it); receives none until staff make it active again.
 */
export const SubscriptionStatusSchema = z.enum(['active', 'paused', 'failing', 'disabled']);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatusSchema>;

export const SubscriptionFailing = defineEvent({
  name: 'SubscriptionFailing',
  source: sources.channels,
  version: 1,
  description:
    "A municipality's channel has failed every delivery for a day. Plein keeps trying; its staff should look at it. The event names the subscription, never its address or secret.",
  data: z.object({
    subscriptionId: UlidSchema,
    kind: SubscriptionKindSchema,
    description: z.string(),
    failingSince: IsoDateTimeSchema,
    lastError: z.string(),
  }),
});
