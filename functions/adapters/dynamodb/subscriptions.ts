import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#shared/domain/errors.ts';
import {
  receivesDeliveries,
  type Subscription,
  type SubscriptionHealth,
  SubscriptionHealthSchema,
  SubscriptionSchema,
} from '#shared/domain/subscription.ts';
import type { DomainEvent } from '#shared/events/catalog.ts';
import type { CommitOptions, Page, PageRequest } from '#shared/ports.ts';
import { keys } from './keys.ts';
import { queryAll, queryPage } from './query.ts';
import { commit, type TransactItem } from './transaction.ts';

const STALE = 'Someone else changed this subscription first; reload and try again.';
const HEALTH_FIELDS = ['lastDeliveredAt', 'lastFailedAt', 'failingSince', 'lastError'] as const;

export interface StoredSubscription {
  subscription: Subscription;
  health: SubscriptionHealth;
  /** The webhook's signing secret, sealed (see channels/secret-box.ts); never leaves the dispatcher. */
  sealedSecret: string | undefined;
}

function healthOf(item: Record<string, unknown>): SubscriptionHealth {
  return SubscriptionHealthSchema.parse(
    Object.fromEntries(HEALTH_FIELDS.filter((field) => item[field] !== undefined).map((f) => [f, item[f]])),
  );
}

/**
 * Subscriptions: the staff's settings live in `data` (written at a revision), the dispatcher's notes on
 * how deliveries go live beside it as plain attributes, so that neither overwrites the other.
 */
export class DynamoSubscriptions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(subscription: Subscription, sealedSecret: string | undefined, options: CommitOptions) {
    const item: TransactItem = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.subscription(subscription.id),
          ...keys.subscriptionListing(subscription),
          ...(receivesDeliveries(subscription) ? keys.receivingSubscription(subscription) : {}),
          type: 'Subscription',
          data: subscription,
          revision: subscription.revision,
          ...(sealedSecret ? { sealedSecret } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    await commit(this.client, this.tableName, [item], options, () => new ConflictError(STALE));
  }

  async get(id: string): Promise<StoredSubscription | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.subscription(id), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      subscription: SubscriptionSchema.parse(Item.data),
      health: healthOf(Item),
      sealedSecret: typeof Item.sealedSecret === 'string' ? Item.sealedSecret : undefined,
    };
  }

  async list(municipalityId: string, page: PageRequest) {
    const result = await queryPage(
      this.client,
      this.tableName,
      keys.municipalitySubscriptions(municipalityId),
      page,
    );
    return {
      ...result,
      items: result.items.map((item) => ({
        ...SubscriptionSchema.parse(item.data),
        health: healthOf(item),
      })),
    } satisfies Page<Subscription & { health: SubscriptionHealth }>;
  }

  /** The municipality's subscriptions that receive deliveries: one Query of a sparse index. */
  async receiving(municipalityId: string): Promise<Subscription[]> {
    const items = await queryAll(this.client, this.tableName, keys.receivingSubscriptions(municipalityId));
    return items.map((item) => SubscriptionSchema.parse(item.data));
  }

  /** Writes staff's or the system's new settings and status on top of the revision they read (and a new sealed secret). */
  async save(next: Subscription, options: CommitOptions, sealedSecret?: string): Promise<void> {
    await commit(
      this.client,
      this.tableName,
      [this.stateUpdate(next, sealedSecret)],
      options,
      () => new ConflictError(STALE),
    );
  }

  /** As `save`, for the dispatcher: false instead of an error when someone changed it first. */
  async saveStatus(next: Subscription, events: DomainEvent[]): Promise<boolean> {
    try {
      await this.save(next, { events });
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  async delete(subscription: Subscription, options: CommitOptions): Promise<void> {
    const item: TransactItem = {
      Delete: {
        TableName: this.tableName,
        Key: keys.subscription(subscription.id),
        ConditionExpression: 'revision = :expected',
        ExpressionAttributeValues: { ':expected': subscription.revision },
      },
    };
    await commit(this.client, this.tableName, [item], options, () => new ConflictError(STALE));
  }

  async recordSuccess(id: string, now: Date): Promise<void> {
    await this.updateHealth(id, 'SET lastDeliveredAt = :now REMOVE failingSince', {
      ':now': now.toISOString(),
    });
  }

  async recordFailure(id: string, error: string, now: Date): Promise<SubscriptionHealth> {
    const attributes = await this.updateHealth(
      id,
      'SET lastFailedAt = :now, lastError = :error, failingSince = if_not_exists(failingSince, :now)',
      { ':now': now.toISOString(), ':error': error.slice(0, 500) },
    );
    return attributes ? healthOf(attributes) : {};
  }

  private async updateHealth(id: string, expression: string, values: Record<string, unknown>) {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.subscription(id),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes;
    } catch (error) {
      // Deleted meanwhile: there is no health to keep.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  private stateUpdate(next: Subscription, sealedSecret: string | undefined): TransactItem {
    const receiving = receivesDeliveries(next);
    const listing = keys.receivingSubscription(next);
    const set = `SET #data = :data, revision = :next${sealedSecret ? ', sealedSecret = :sealed' : ''}`;
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.subscription(next.id),
        UpdateExpression: receiving
          ? `${set}, gsi3pk = :gsi3pk, gsi3sk = :gsi3sk`
          : `${set} REMOVE gsi3pk, gsi3sk`,
        ConditionExpression: 'revision = :expected',
        ExpressionAttributeNames: { '#data': 'data' },
        ExpressionAttributeValues: {
          ':data': next,
          ':next': next.revision,
          ':expected': next.revision - 1,
          ...(receiving ? { ':gsi3pk': listing.gsi3pk, ':gsi3sk': listing.gsi3sk } : {}),
          ...(sealedSecret ? { ':sealed': sealedSecret } : {}),
        },
      },
    };
  }
}
