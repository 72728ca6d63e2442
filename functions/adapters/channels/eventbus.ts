import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DeliveredEvent } from '#shared/domain/delivery.ts';

/** The port: puts one event on a municipality's own EventBridge bus. */
export interface BusForwarder {
  forward(busArn: string, event: DeliveredEvent, deliveryId: string): Promise<void>;
}

/**
 * In AWS: PutEvents to the subscribed bus by its ARN, a cross-account put that the municipality allows in
 * its bus's resource policy. The event keeps its source and detail-type, so their rules read it as ours.
 */
export function eventBridgeForwarder(client: EventBridgeClient): BusForwarder {
  return {
    async forward(busArn, event) {
      const result = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busArn,
              Source: event.source,
              DetailType: event.detailType,
              Detail: JSON.stringify(event.detail),
              Time: new Date(String(event.detail.occurredAt)),
            },
          ],
        }),
      );
      const failed = result.Entries?.[0];
      if (result.FailedEntryCount || failed?.ErrorCode) {
        throw new Error(`PutEvents refused the event: ${failed?.ErrorCode} ${failed?.ErrorMessage ?? ''}`);
      }
    },
  };
}

/** Locally there is no municipality's bus: each forward is recorded as a JSON line in a git-ignored log. */
export function localBusLog(file: string, now = () => new Date()): BusForwarder {
  return {
    async forward(busArn, event, deliveryId) {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, `${JSON.stringify({ at: now().toISOString(), busArn, deliveryId, ...event })}\n`);
    },
  };
}

export function defaultEventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({ region: process.env.AWS_REGION ?? 'eu-west-1' });
}
