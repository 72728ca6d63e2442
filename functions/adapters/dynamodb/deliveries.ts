import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Delivery, DeliverySchema, type DeliveryStatus, isDue } from '#shared/domain/delivery.ts';
import { ConflictError } from '#shared/domain/errors.ts';
import type { SubscriptionKind } from '#shared/domain/subscription.ts';
import type { CommitOptions, Page, PageRequest } from '#shared/ports.ts';
import { expiresAfter, keys } from './keys.ts';
import { queryPage } from './query.ts';
import { commit } from './transaction.ts';

/**
 * Delivered ones are history after a month; dead ones stay three, for staff to look at and replay.
 * Pending and failed ones settle within about a day and a half of retries; 90 days is a backstop, so
 * that no delivery (nor its tries) outlives the retention period, whatever happens to its subscription.
 */
const RETENTION_DAYS: Record<DeliveryStatus, number> = { delivered: 30, dead: 90, pending: 90, failed: 90 };

function deliveryItem(delivery: Delivery) {
  const retention = RETENTION_DAYS[delivery.status];
  return {
    ...keys.delivery(delivery.id),
    ...keys.deliveryListings(delivery),
    ...(isDue(delivery) && delivery.nextAttemptAt ? keys.deliveryDue(delivery, delivery.nextAttemptAt) : {}),
    type: 'Delivery',
    data: delivery,
    revision: delivery.revision,
    ...(retention ? { ttl: expiresAfter(retention) } : {}),
  };
}

const conditionFailed = (error: unknown) => error instanceof ConditionalCheckFailedException;

export class DynamoDeliveries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Makes a delivery unless it exists: a redelivered event makes nothing twice. True when made now. */
  async createOnce(delivery: Delivery): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: deliveryItem(delivery),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<Delivery | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.delivery(id), ConsistentRead: true }),
    );
    return Item ? DeliverySchema.parse(Item.data) : undefined;
  }

  /** Writes a try's result on top of the revision it started from; false when another wrote first. */
  async save(next: Delivery): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: deliveryItem(next),
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': next.revision - 1 },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  /** A replay by staff, with its Idempotency-Key. */
  async saveReplay(next: Delivery, options: CommitOptions): Promise<void> {
    await commit(
      this.client,
      this.tableName,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: deliveryItem(next),
            ConditionExpression: 'revision = :expected',
            ExpressionAttributeValues: { ':expected': next.revision - 1 },
          },
        },
      ],
      options,
      () => new ConflictError('The delivery changed meanwhile; reload and try again.'),
    );
  }

  async list(municipalityId: string, status: DeliveryStatus | undefined, page: PageRequest) {
    const result = await queryPage(
      this.client,
      this.tableName,
      keys.municipalityDeliveries(municipalityId, status),
      page,
    );
    return {
      ...result,
      items: result.items.map((item) => DeliverySchema.parse(item.data)),
    } satisfies Page<Delivery>;
  }

  /**
   * Claims up to `limit` deliveries of a kind that are due: reads the sparse "due" index (no scan), then
   * moves each one's due time `leaseMs` ahead, conditionally, so that no other dispatcher claims it too.
   * A dispatcher that dies mid-try loses its lease and the delivery comes due again: at least once.
   */
  async claimDue(kind: SubscriptionKind, now: Date, limit: number, leaseMs: number): Promise<string[]> {
    const partition = keys.dueDeliveries(kind);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: partition.index,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
        ExpressionAttributeValues: { ':pk': partition.pk, ':now': `${now.toISOString()}#~` },
        Limit: limit,
      }),
    );
    const leasedUntil = new Date(now.getTime() + leaseMs).toISOString();
    const claimed = await Promise.all(
      (result.Items ?? []).map(async (item) => {
        const id = (item.data as { id: string }).id;
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.delivery(id),
              UpdateExpression: 'SET gsi1sk = :leased',
              ConditionExpression: 'gsi1sk = :seen',
              ExpressionAttributeValues: {
                ':leased': keys.deliveryDue({ id, kind }, leasedUntil).gsi1sk,
                ':seen': item.gsi1sk,
              },
            }),
          );
          return id;
        } catch (error) {
          if (conditionFailed(error)) return undefined;
          throw error;
        }
      }),
    );
    return claimed.filter((id): id is string => id !== undefined);
  }
}
