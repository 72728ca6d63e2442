import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { SubscriptionKind } from '#shared/domain/subscription.ts';
import type { ChannelConfig } from './config.ts';

/** The notice that puts a delivery on its kind's dispatch queue (AWS), through the channels' own bus. */
export const DELIVERY_DUE = { source: 'plein.channels.dispatch', detailType: 'DeliveryDue' } as const;

/** The port: asks for a try of these deliveries now. Missing one is harmless: the sweep finds it due. */
export interface DispatchQueue {
  enqueue(deliveries: readonly { id: string; kind: SubscriptionKind }[]): Promise<void>;
}

/**
 * Locally: a nudge to the dispatcher loop in this process, as a message on SQS wakes its consumer in
 * AWS. The loop still reads the "due" index on its own, so a nudge nobody hears only costs time.
 */
export const localDispatchNudges = new EventTarget();
export const localDispatchQueue: DispatchQueue = {
  enqueue: async (deliveries) => {
    if (deliveries.length > 0) localDispatchNudges.dispatchEvent(new Event('due'));
  },
};

/**
 * In AWS: one DeliveryDue event per delivery on the channels' bus, whose rules route each kind to its
 * SQS queue (infra/cdk/channels.ts). PutEvents takes ten entries a call.
 */
export function busDispatchQueue(client: EventBridgeClient, busName: string): DispatchQueue {
  return {
    async enqueue(deliveries) {
      for (let start = 0; start < deliveries.length; start += 10) {
        const result = await client.send(
          new PutEventsCommand({
            Entries: deliveries.slice(start, start + 10).map((delivery) => ({
              EventBusName: busName,
              Source: DELIVERY_DUE.source,
              DetailType: DELIVERY_DUE.detailType,
              Detail: JSON.stringify({ deliveryId: delivery.id, kind: delivery.kind }),
            })),
          }),
        );
        if (result.FailedEntryCount) {
          throw new Error(`PutEvents refused ${result.FailedEntryCount} DeliveryDue notices`);
        }
      }
    },
  };
}

export function dispatchQueueFor(config: ChannelConfig): DispatchQueue {
  if (config.PLEIN_MODE === 'local' || !config.CHANNEL_DISPATCH_BUS) return localDispatchQueue;
  return busDispatchQueue(
    new EventBridgeClient({ region: process.env.AWS_REGION ?? 'eu-west-1' }),
    config.CHANNEL_DISPATCH_BUS,
  );
}
