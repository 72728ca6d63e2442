import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { newDelivery } from '#shared/domain/delivery.ts';
import { filterPattern, type Subscription } from '#shared/domain/subscription.ts';
import { matchesPattern } from '#shared/events/pattern.ts';
import { definitionOf } from '#shared/events/registry.ts';
import { channelConfig } from '../adapters/channels/config.ts';
import { type DispatchQueue, dispatchQueueFor } from '../adapters/channels/dispatch-queue.ts';
import { DynamoDeliveries } from '../adapters/dynamodb/deliveries.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';
import { DynamoSubscriptions } from '../adapters/dynamodb/subscriptions.ts';

let deps:
  | { subscriptions: DynamoSubscriptions; deliveries: DynamoDeliveries; queue: DispatchQueue }
  | undefined;

/** A channel is not told that it is itself failing: that news goes to the municipality's other channels. */
function isAboutItself(subscription: Subscription, detailType: string, data: unknown): boolean {
  return (
    detailType === 'SubscriptionFailing' &&
    (data as { subscriptionId?: string } | undefined)?.subscriptionId === subscription.id
  );
}

/**
 * Fans an event out to the municipality's channels: one delivery per subscription whose filter (an
 * EventBridge pattern) matches. Deliveries are keyed by event and subscription, so a redelivered event
 * makes none twice; the dispatcher sends them.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, { deliveries: number }>().handler(
  async (event) => {
    const detailType = event['detail-type'];
    const detail = definitionOf(detailType).detail.parse(event.detail);
    if (!deps) {
      const { client, tableName } = table();
      deps = {
        subscriptions: new DynamoSubscriptions(client, tableName),
        deliveries: new DynamoDeliveries(client, tableName),
        queue: dispatchQueueFor(channelConfig()),
      };
    }
    const subscriptions = await deps.subscriptions.receiving(detail.municipalityId);
    const now = new Date();
    const matching = subscriptions.filter(
      (subscription) =>
        // As text, so that the matcher's cache serves every event of the same filter.
        matchesPattern(JSON.stringify(filterPattern(subscription)), { ...event, detail }) &&
        !isAboutItself(subscription, detailType, detail.data),
    );
    const made = await Promise.all(
      matching.map(async (subscription) => {
        const delivery = newDelivery({ source: event.source, detailType, detail }, subscription, now);
        return (await deps?.deliveries.createOnce(delivery)) ? delivery : undefined;
      }),
    );
    const created = made.filter((delivery) => delivery !== undefined);
    await deps.queue.enqueue(created);
    return { deliveries: created.length };
  },
);
