import * as z from 'zod';
import type { Actor } from './actor.ts';
import { authorize } from './authorization.ts';
import { IsoDateTimeSchema, SlugSchema, UlidSchema } from './common.ts';
import { ConflictError } from './errors.ts';
import { SubscriptionKindSchema } from './subscription-events.ts';

/**
 * pending: waiting for its first try (or a replay). failed: the last try failed, another is scheduled.
 * delivered: the channel took it. dead: every try failed, or the channel is gone; staff may replay it.
 */
export const DeliveryStatusSchema = z.enum(['pending', 'delivered', 'failed', 'dead']);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** An event as the bus carried it: what a channel gets. */
export const DeliveredEventSchema = z.object({
  source: z.string(),
  detailType: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type DeliveredEvent = z.infer<typeof DeliveredEventSchema>;

const ULID = '[0-9A-HJKMNP-TV-Z]{26}';
export const DeliveryIdSchema = z
  .string()
  .regex(new RegExp(`^dlv_${ULID}_${ULID}$`), 'must be a delivery id (dlv_<eventId>_<subscriptionId>)');

export const DeliverySchema = z
  .object({
    /** Also the webhook's `webhook-id`: the same on every try, so a receiver can drop repeats. */
    id: DeliveryIdSchema,
    eventId: UlidSchema,
    subscriptionId: UlidSchema,
    municipalityId: SlugSchema,
    kind: SubscriptionKindSchema,
    event: DeliveredEventSchema,
    status: DeliveryStatusSchema,
    /** Tries since it was made or last replayed. */
    attempts: z.number().int().nonnegative(),
    replays: z.number().int().nonnegative(),
    createdAt: IsoDateTimeSchema,
    nextAttemptAt: IsoDateTimeSchema.optional(),
    lastAttemptAt: IsoDateTimeSchema.optional(),
    deliveredAt: IsoDateTimeSchema.optional(),
    lastError: z.string().optional(),
    /** The receiver's HTTP status on the last try, for webhooks. */
    lastResponseStatus: z.number().int().optional(),
    revision: z.number().int().nonnegative(),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof DeliverySchema>;

/** One delivery per event and subscription: the id says which, so making it twice makes it once. */
export function deliveryIdOf(eventId: string, subscriptionId: string): string {
  return `dlv_${eventId}_${subscriptionId}`;
}

export function newDelivery(
  event: DeliveredEvent & { detail: { eventId: string; municipalityId: string } },
  subscription: { id: string; kind: Delivery['kind']; municipalityId: string },
  now: Date,
): Delivery {
  return {
    id: deliveryIdOf(event.detail.eventId, subscription.id),
    eventId: event.detail.eventId,
    subscriptionId: subscription.id,
    municipalityId: subscription.municipalityId,
    kind: subscription.kind,
    event: { source: event.source, detailType: event.detailType, detail: event.detail },
    status: 'pending',
    attempts: 0,
    replays: 0,
    createdAt: now.toISOString(),
    nextAttemptAt: now.toISOString(),
    revision: 0,
  };
}

/**
 * Waits between tries, after the first: Standard Webhooks' schedule, over about a day (27.6 hours in
 * all). After the last wait comes the last try; then the delivery is dead.
 */
export const DEFAULT_RETRY_SCHEDULE_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  10 * 3600_000,
] as const;

/** Each wait is stretched or shrunk by up to this share, so that retries of many deliveries spread out. */
export const JITTER = 0.2;

export interface RetryPolicy {
  scheduleMs: readonly number[];
  random: () => number;
}

/** The wait before the next try, after `attempts` tries have failed; undefined when none is left. */
export function retryDelay(attempts: number, policy: RetryPolicy): number | undefined {
  const base = policy.scheduleMs[attempts - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (1 - JITTER + 2 * JITTER * policy.random()));
}

/** What one try came to, as the dispatcher records it. */
export type AttemptOutcome =
  | { ok: true; responseStatus?: number }
  | { ok: false; error: string; responseStatus?: number; retry: boolean };

const trimmed = (error: string) => error.slice(0, 500);

/** Records a try: delivered, or failed with the next try scheduled, or dead when tries ran out (or `retry` is false). */
export function recordAttempt(
  delivery: Delivery,
  outcome: AttemptOutcome,
  now: Date,
  policy: RetryPolicy,
): Delivery {
  const attempts = delivery.attempts + 1;
  const { nextAttemptAt: _next, lastError: _error, lastResponseStatus: _status, ...rest } = delivery;
  const base = {
    ...rest,
    attempts,
    lastAttemptAt: now.toISOString(),
    ...(outcome.responseStatus !== undefined ? { lastResponseStatus: outcome.responseStatus } : {}),
    revision: delivery.revision + 1,
  };
  if (outcome.ok) return { ...base, status: 'delivered', deliveredAt: now.toISOString() };
  const delay = outcome.retry ? retryDelay(attempts, policy) : undefined;
  if (delay === undefined) return { ...base, status: 'dead', lastError: trimmed(outcome.error) };
  return {
    ...base,
    status: 'failed',
    lastError: trimmed(outcome.error),
    nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
  };
}

/** Gives up on a delivery at once: its channel is gone or disabled. */
export function abandonDelivery(delivery: Delivery, reason: string, now: Date): Delivery {
  const { nextAttemptAt: _next, ...rest } = delivery;
  return {
    ...rest,
    status: 'dead',
    lastError: trimmed(reason),
    lastAttemptAt: now.toISOString(),
    revision: delivery.revision + 1,
  };
}

/** Staff send a dead or failed delivery again, now, with a fresh round of tries. */
export function replayDelivery(delivery: Delivery, actor: Actor | undefined, now: Date): Delivery {
  authorize(actor, { type: 'delivery.replay', municipalityId: delivery.municipalityId });
  if (delivery.status !== 'dead' && delivery.status !== 'failed') {
    throw new ConflictError(`A ${delivery.status} delivery cannot be replayed.`);
  }
  return {
    ...delivery,
    status: 'pending',
    attempts: 0,
    replays: delivery.replays + 1,
    nextAttemptAt: now.toISOString(),
    revision: delivery.revision + 1,
  };
}

/** Whether a delivery still waits for a try: only these sit in the dispatcher's "due" index. */
export function isDue(delivery: Pick<Delivery, 'status'>): boolean {
  return delivery.status === 'pending' || delivery.status === 'failed';
}

/** The Standard Webhooks payload: `type`, `timestamp` and the event's detail as `data`. */
export function webhookPayload(event: DeliveredEvent): string {
  return JSON.stringify({
    type: event.detailType,
    timestamp: String(event.detail.occurredAt ?? ''),
    data: event.detail,
  });
}

/** A receiver's answer: 2xx took it, 410 wants no more, anything else is tried again. */
export function outcomeOfStatus(status: number): AttemptOutcome | 'gone' {
  if (status >= 200 && status < 300) return { ok: true, responseStatus: status };
  if (status === 410) return 'gone';
  return { ok: false, error: `HTTP ${status}`, responseStatus: status, retry: true };
}
