import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { expiresAfter, keys } from './keys.ts';

/** How long a consumer remembers an event it handled: longer than EventBridge retries one (24 hours). */
const PROCESSED_RETENTION_DAYS = 7;

export type ParticipationCounters = Record<string, number>;

export class DynamoParticipationFigures {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Adds to a municipality's figures for a month, once per event: the marker and the increment commit
   * together, so a redelivered event finds the marker and changes nothing. Returns false for a repeat.
   */
  async addOnce(
    consumer: string,
    eventId: string,
    municipalityId: string,
    month: string,
    add: ParticipationCounters,
  ) {
    const names = Object.keys(add);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.processed(consumer, eventId), ttl: expiresAfter(PROCESSED_RETENTION_DAYS) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.participation(municipalityId, month),
                UpdateExpression: `SET #type = :type, #month = :month ADD ${names.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
                ExpressionAttributeNames: {
                  '#type': 'type',
                  '#month': 'month',
                  ...Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
                },
                ExpressionAttributeValues: {
                  ':type': 'ParticipationMonth',
                  ':month': month,
                  ...Object.fromEntries(names.map((name, i) => [`:c${i}`, add[name]])),
                },
              },
            },
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

  /** The figures per month from `fromMonth` to `toMonth` (inclusive, `YYYY-MM`). */
  async months(municipalityId: string, fromMonth: string, toMonth: string) {
    const { pk } = keys.participation(municipalityId, fromMonth);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': pk,
          ':from': keys.participation(municipalityId, fromMonth).sk,
          ':to': keys.participation(municipalityId, toMonth).sk,
        },
      }),
    );
    return (result.Items ?? []).map(({ pk: _pk, sk: _sk, type: _type, ...figures }) => figures);
  }
}
