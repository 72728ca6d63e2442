import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '#shared/events/catalog.ts';
import type { CommitOptions, IdempotencyRecord, IdempotencyStore } from '#shared/ports.ts';
import { DuplicateRequestError } from '#shared/ports.ts';
import { auditItemFor } from './audit.ts';
import { expiresAfter, keys } from './keys.ts';

export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

const OUTBOX_RETENTION_DAYS = 7;
const IDEMPOTENCY_RETENTION_DAYS = 1;
/** The scope of Idempotency-Keys sent without a token (see route.ts). */
export const ANONYMOUS_SCOPE = 'anonymous';

export function outboxItem(tableName: string, event: DomainEvent): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.outbox(event.detail.eventId),
        source: event.source,
        detailType: event.detailType,
        detail: event.detail,
        ttl: expiresAfter(OUTBOX_RETENTION_DAYS),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function idempotencyItem(tableName: string, record: IdempotencyRecord): TransactItem {
  const key = keys.idempotency(record.scope, record.key);
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...key,
        // A person's records are listed (for their export and deletion); anonymous ones are not.
        ...(record.scope === ANONYMOUS_SCOPE ? {} : keys.idempotencyListing(record.scope, key.pk)),
        fingerprint: record.fingerprint,
        response: record.response,
        ttl: expiresAfter(IDEMPOTENCY_RETENTION_DAYS),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * Commits the aggregate's items, one outbox item per event and the idempotency record in a single
 * transaction: either all of it is written or none. A failed condition on one of `items` is reported
 * to `onConditionFailed` with that item's index, so that the repository can say what it means.
 */
export async function commit(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: TransactItem[],
  options: CommitOptions,
  onConditionFailed: (index: number) => Error,
): Promise<void> {
  // A staff or admin action adds its audit entry here, so every route's action is audited or none is.
  const audit = await auditItemFor(client, tableName, items, options.events);
  const transactItems = [
    ...items,
    ...options.events.map((event) => outboxItem(tableName, event)),
    ...(audit ? [audit] : []),
    ...(options.idempotency ? [idempotencyItem(tableName, options.idempotency)] : []),
  ];
  try {
    await client.send(new TransactWriteCommand({ TransactItems: transactItems }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    // A concurrent twin of this request fails the slug's condition too: the key explains it best.
    if (options.idempotency && reasons[transactItems.length - 1]?.Code === 'ConditionalCheckFailed') {
      throw new DuplicateRequestError('Idempotency-Key already used');
    }
    const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
    if (failed < 0) throw error;
    if (failed < items.length) throw onConditionFailed(failed);
    throw error;
  }
}

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async find(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.idempotency(scope, key), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      scope,
      key,
      fingerprint: Item.fingerprint as string,
      response: Item.response as IdempotencyRecord['response'],
    };
  }
}
