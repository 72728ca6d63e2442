import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Counter, MonthUpdate, StoredMonth } from '#shared/domain/participation.ts';
import { keys } from './keys.ts';
import { processedItem } from './processed.ts';

/** How long a consumer remembers an event it handled: longer than EventBridge retries one (24 hours). */

function monthUpdate(tableName: string, municipalityId: string, update: MonthUpdate) {
  const counters = Object.entries(update.add);
  const names: Record<string, string> = { '#type': 'type', '#month': 'month' };
  const values: Record<string, unknown> = { ':type': 'ParticipationMonth', ':month': update.month };
  counters.forEach(([name, amount], index) => {
    names[`#c${index}`] = name;
    values[`:c${index}`] = amount;
  });
  let set = 'SET #type = :type, #month = :month';
  if (update.waits?.length) {
    names['#waits'] = 'waits';
    values[':waits'] = update.waits;
    values[':none'] = [];
    set += ', #waits = list_append(if_not_exists(#waits, :none), :waits)';
  }
  const add = counters.length ? ` ADD ${counters.map((_, index) => `#c${index} :c${index}`).join(', ')}` : '';
  return {
    Update: {
      TableName: tableName,
      Key: keys.participation(municipalityId, update.month),
      UpdateExpression: `${set}${add}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

export class DynamoParticipationFigures {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Applies one event's updates, once: the "processed" marker and the updates commit together, so a
   * redelivered event finds the marker and changes nothing. Returns false for a repeat.
   */
  async applyOnce(
    consumer: string,
    eventId: string,
    municipalityId: string,
    updates: MonthUpdate[],
  ): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: processedItem(consumer, eventId),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...updates.map((update) => monthUpdate(this.tableName, municipalityId, update)),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return false;
      }
      throw error;
    }
  }

  /** The stored figures from `fromMonth` to `toMonth` (inclusive, `YYYY-MM`): one small Query. */
  async months(municipalityId: string, fromMonth: string, toMonth: string): Promise<StoredMonth[]> {
    const from = keys.participation(municipalityId, fromMonth);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': from.pk,
          ':from': from.sk,
          ':to': keys.participation(municipalityId, toMonth).sk,
        },
      }),
    );
    return (result.Items ?? []).map(({ month, waits, pk: _pk, sk: _sk, type: _type, ...counts }) => ({
      month: String(month),
      counts: counts as Partial<Record<Counter, number>>,
      waits: (waits as number[] | undefined) ?? [],
    }));
  }
}
