import type { DomainEvent } from '../events/catalog.ts';
import {
  type AttemptOutcome,
  abandonDelivery,
  type Delivery,
  isDue,
  type RetryPolicy,
  recordAttempt,
} from './delivery.ts';
import type { Subscription, SubscriptionHealth } from './subscription.ts';
import { disableSubscription, markFailingIfDue, recoverSubscription } from './subscription-decisions.ts';

/** A subscription as the dispatcher reads it, with its sealed signing secret (opaque here). */
export interface Channel {
  subscription: Subscription;
  health: SubscriptionHealth;
  sealedSecret?: string | undefined;
}

/** What dispatching needs from the world: storage, the channel itself and the clock. */
export interface DispatchPorts {
  deliveries: {
    get(id: string): Promise<Delivery | undefined>;
    /** Writes only on top of `next.revision - 1`; false when another dispatcher wrote first. */
    save(next: Delivery): Promise<boolean>;
  };
  subscriptions: {
    get(id: string): Promise<Channel | undefined>;
    /** Notes a success: the channel is no longer failing since anything. */
    recordSuccess(id: string, now: Date): Promise<void>;
    /** Notes a failure, keeping when the failures began; answers the health as it now is. */
    recordFailure(id: string, error: string, now: Date): Promise<SubscriptionHealth>;
    /** Saves a status the system decided (failing, disabled, active again), with its events, if nobody changed it first. */
    saveStatus(next: Subscription, events: DomainEvent[]): Promise<boolean>;
  };
  /** Sends the delivery's event over the subscription's channel; throws or answers a failure. */
  send(delivery: Delivery, channel: Channel): Promise<AttemptOutcome | 'gone'>;
  now(): Date;
  newId(): string;
  retry: RetryPolicy;
  failingAfterMs: number;
}

export type DispatchResult = Delivery['status'] | 'missing' | 'skipped' | 'superseded';

const messageOf = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * One try of one delivery. Safe to run twice for the same delivery (a queue delivers at least once):
 * a delivery that is no longer due is left alone, and a result is saved only on top of what was read.
 */
export async function dispatchDelivery(id: string, ports: DispatchPorts): Promise<DispatchResult> {
  const delivery = await ports.deliveries.get(id);
  if (!delivery) return 'missing';
  if (!isDue(delivery)) return 'skipped';
  const found = await ports.subscriptions.get(delivery.subscriptionId);
  const now = ports.now();
  if (!found || found.subscription.status === 'disabled') {
    const reason = found ? 'The subscription is disabled.' : 'The subscription was deleted.';
    return (await ports.deliveries.save(abandonDelivery(delivery, reason, now))) ? 'dead' : 'superseded';
  }
  const { subscription } = found;
  if (subscription.status === 'paused') {
    // Held, not sent: it waits out the retry schedule and is sent if the channel is resumed in time.
    const held = recordAttempt(
      delivery,
      { ok: false, error: 'The subscription is paused.', retry: true },
      now,
      ports.retry,
    );
    return (await ports.deliveries.save(held)) ? held.status : 'superseded';
  }

  let outcome: AttemptOutcome | 'gone';
  try {
    outcome = await ports.send(delivery, found);
  } catch (error) {
    outcome = { ok: false, error: messageOf(error), retry: true };
  }
  const sentAt = ports.now();
  if (outcome === 'gone') {
    const reason = 'The receiver answered 410 Gone: it wants no more deliveries.';
    const next = recordAttempt(
      delivery,
      { ok: false, error: 'HTTP 410 Gone', responseStatus: 410, retry: false },
      sentAt,
      ports.retry,
    );
    const saved = await ports.deliveries.save(next);
    await ports.subscriptions.saveStatus(disableSubscription(subscription, reason, sentAt), []);
    return saved ? next.status : 'superseded';
  }

  const next = recordAttempt(delivery, outcome, sentAt, ports.retry);
  if (!(await ports.deliveries.save(next))) return 'superseded';
  if (outcome.ok) {
    await ports.subscriptions.recordSuccess(subscription.id, sentAt);
    const recovered = recoverSubscription(subscription, sentAt);
    if (recovered) await ports.subscriptions.saveStatus(recovered, []);
  } else {
    const health = await ports.subscriptions.recordFailure(subscription.id, outcome.error, sentAt);
    const failing = markFailingIfDue(subscription, health, {
      now: sentAt,
      newId: ports.newId,
      failingAfterMs: ports.failingAfterMs,
    });
    if (failing) await ports.subscriptions.saveStatus(failing.state, failing.events);
  }
  return next.status;
}
