import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { DeliveryIdSchema } from '#shared/domain/delivery.ts';
import { type DispatchPorts, dispatchDelivery } from '#shared/domain/delivery-dispatch.ts';
import { channelConfig } from '../adapters/channels/config.ts';
import { channelAdapters, channelSender } from '../adapters/channels/senders.ts';
import { DynamoDeliveries } from '../adapters/dynamodb/deliveries.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';
import { DynamoSubscriptions } from '../adapters/dynamodb/subscriptions.ts';

/** A queue message: the delivery to try. In AWS the DeliveryDue event's detail; locally the dispatcher's. */
export const DispatchMessageSchema = z.object({ deliveryId: DeliveryIdSchema }).loose();

let ports: DispatchPorts | undefined;

function buildPorts(): DispatchPorts {
  const { client, tableName } = table();
  const config = channelConfig();
  const send = channelSender(config, channelAdapters(config));
  return {
    deliveries: new DynamoDeliveries(client, tableName),
    subscriptions: new DynamoSubscriptions(client, tableName),
    send: (delivery, channel) => send(delivery, channel.subscription, channel.sealedSecret),
    now: () => new Date(),
    newId: monotonicFactory(),
    retry: { scheduleMs: config.retryScheduleMs, random: Math.random },
    failingAfterMs: config.CHANNEL_FAILING_AFTER_MS,
  };
}

/**
 * Tries deliveries, one per queue message: SQS in AWS (a queue per channel kind), the local dispatcher
 * under `npm start`. A failed try is not an error here: it is recorded and scheduled again. Only a crash
 * returns the message as a batch item failure, for the queue to retry and, in the end, dead-letter.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  ports ??= buildPorts();
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  // One at a time: a batch is small, and a slow receiver should not hold many connections open.
  for (const record of event.Records) {
    try {
      const { deliveryId } = DispatchMessageSchema.parse(JSON.parse(record.body));
      const result = await dispatchDelivery(deliveryId, ports);
      console.log(JSON.stringify({ level: 'info', message: 'delivery tried', deliveryId, result }));
    } catch (error) {
      console.error(
        JSON.stringify({
          level: 'error',
          message: 'delivery crashed',
          messageId: record.messageId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
      );
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
});
