import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { type DeliveredEvent, DeliveredEventSchema } from '#shared/domain/delivery.ts';
import { expiresAfter, keys } from './keys.ts';

/** How many entries a feed keeps: readers poll, and an Atom feed is the latest news, not an archive. */
export const FEED_LENGTH = 50;
const FEED_RETENTION_DAYS = 365;

type Place = { municipalityId: string; neighbourhoodId?: string | undefined };

/**
 * The public feeds' projection: the latest public events of each municipality and of each neighbourhood,
 * each in a partition of its own, trimmed to FEED_LENGTH on every write. An entry's key is the event's
 * time and id, so a redelivered event overwrites itself: idempotent without a marker.
 */
export class DynamoFeed {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly length = FEED_LENGTH,
  ) {}

  async add(event: DeliveredEvent & { detail: { eventId: string; occurredAt: string } }): Promise<void> {
    const municipalityId = String(event.detail.municipalityId);
    const neighbourhoodId =
      typeof event.detail.neighbourhoodId === 'string' ? event.detail.neighbourhoodId : undefined;
    const places: Place[] = [
      { municipalityId },
      ...(neighbourhoodId ? [{ municipalityId, neighbourhoodId }] : []),
    ];
    for (const place of places) {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.feedEntry(place, event.detail),
            type: 'FeedEntry',
            event,
            ttl: expiresAfter(FEED_RETENTION_DAYS),
          },
        }),
      );
      await this.trim(place);
    }
  }

  /** The newest entries of a feed, newest first. */
  async latest(place: Place): Promise<DeliveredEvent[]> {
    const { pk } = keys.feedEntry(place, { occurredAt: '', eventId: '' });
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': pk, ':entry': 'ENTRY#' },
        ScanIndexForward: false,
        Limit: this.length,
      }),
    );
    return (result.Items ?? []).map((item) => DeliveredEventSchema.parse(item.event));
  }

  private async trim(place: Place): Promise<void> {
    const { pk } = keys.feedEntry(place, { occurredAt: '', eventId: '' });
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': pk, ':entry': 'ENTRY#' },
        ProjectionExpression: 'pk, sk',
        ScanIndexForward: false,
        Limit: this.length + 25,
      }),
    );
    const surplus = (result.Items ?? []).slice(this.length);
    if (surplus.length === 0) return;
    await this.client.send(
      new BatchWriteCommand({
        RequestItems: {
          [this.tableName]: surplus.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
        },
      }),
    );
  }
}
