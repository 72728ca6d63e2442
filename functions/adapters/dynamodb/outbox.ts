import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { BusEntry } from '#shared/ports.ts';
import { OUTBOX_PREFIX } from './keys.ts';

/**
 * The filter that picks outbox inserts off the table's stream, in EventBridge's pattern language:
 * the EventBridge Pipe uses it in AWS and the local stream relay applies the very same pattern.
 */
export const outboxStreamFilter = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { pk: { S: [{ prefix: OUTBOX_PREFIX }] } } },
} as const;

/** The part of a DynamoDB stream record that the relay and the Pipe's enrichment read. */
export interface OutboxStreamRecord {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, AttributeValue> | undefined };
}

/** Turns an outbox insert into the PutEvents entry it stands for. */
export function busEntryFromStreamRecord(record: OutboxStreamRecord): BusEntry {
  const image = record.dynamodb?.NewImage;
  if (!image)
    throw new Error(
      'The stream record has no new image; the stream must be NEW_IMAGE or NEW_AND_OLD_IMAGES.',
    );
  const item = unmarshall(image);
  return {
    source: String(item.source),
    detailType: String(item.detailType),
    detail: item.detail as Record<string, unknown>,
    time: new Date(String((item.detail as { occurredAt?: string }).occurredAt)),
  };
}
