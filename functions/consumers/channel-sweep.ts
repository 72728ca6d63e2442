import middy from '@middy/core';
import { subscriptionKinds } from '#shared/domain/subscription.ts';
import { channelConfig } from '../adapters/channels/config.ts';
import { type DispatchQueue, dispatchQueueFor } from '../adapters/channels/dispatch-queue.ts';
import { DynamoDeliveries } from '../adapters/dynamodb/deliveries.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';

/** How long a claimed delivery is left to its dispatcher before it comes due again. */
export const DISPATCH_LEASE_MS = 5 * 60_000;
const BATCH = 100;

let deps: { deliveries: DynamoDeliveries; queue: DispatchQueue } | undefined;

/**
 * AWS only, every minute (an EventBridge schedule): claims the deliveries whose next try has come, per
 * channel kind, and sends a DeliveryDue notice for each to that kind's queue. Retries hours apart need
 * this: SQS delays a message 15 minutes at most. Locally infra/local/dispatcher.ts does the same.
 */
export const handler = middy<unknown, Record<string, number>>().handler(async () => {
  if (!deps) {
    const { client, tableName } = table();
    deps = { deliveries: new DynamoDeliveries(client, tableName), queue: dispatchQueueFor(channelConfig()) };
  }
  const claimed: Record<string, number> = {};
  for (const kind of subscriptionKinds) {
    let total = 0;
    for (;;) {
      const ids = await deps.deliveries.claimDue(kind, new Date(), BATCH, DISPATCH_LEASE_MS);
      await deps.queue.enqueue(ids.map((id) => ({ id, kind })));
      total += ids.length;
      if (ids.length < BATCH) break;
    }
    claimed[kind] = total;
  }
  return claimed;
});
