import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expiresAfter, keys } from './keys.ts';

/** How long a consumer remembers an event it handled: longer than EventBridge keeps retrying one. */
const PROCESSED_RETENTION_DAYS = 7;

/** The marker that a consumer handled an event: put in the consumer's own transaction, or on its own. */
export function processedItem(consumer: string, eventId: string) {
  return { ...keys.processed(consumer, eventId), ttl: expiresAfter(PROCESSED_RETENTION_DAYS) };
}

/** For consumers whose effect is outside the table (an email): check before, mark after. */
export class DynamoProcessedEvents {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Whether a consumer has handled this event already (see `markHandled`). */
  async handled(consumer: string, eventId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.processed(consumer, eventId),
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  async markHandled(consumer: string, eventId: string): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: processedItem(consumer, eventId) }),
    );
  }
}
