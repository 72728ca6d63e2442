import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '#shared/domain/errors.ts';
import type { Page, PageRequest } from '#shared/ports.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { IndexName } from './table.ts';

export interface PartitionQuery {
  index: IndexName;
  pk: string;
  skPrefix?: string;
  /** Oldest first when true; newest first by default. */
  forward?: boolean;
}

/** One page of an index partition, with an opaque cursor that only this partition accepts. */
export async function queryPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  query: PartitionQuery,
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  const pkName = `${query.index}pk`;
  const skName = `${query.index}sk`;
  const startKey = page.cursor ? decodeCursor(page.cursor, { [pkName]: query.pk }) : undefined;
  if (page.cursor && !startKey)
    throw new ValidationError([{ path: 'cursor', message: 'is not a cursor of this list' }]);
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: query.index,
      KeyConditionExpression: query.skPrefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': pkName, ...(query.skPrefix ? { '#sk': skName } : {}) },
      ExpressionAttributeValues: {
        ':pk': query.pk,
        ...(query.skPrefix ? { ':prefix': query.skPrefix } : {}),
      },
      ScanIndexForward: query.forward ?? false,
      // One more than asked tells whether another page exists without an empty last page.
      Limit: page.limit + 1,
      ExclusiveStartKey: startKey,
    }),
  );
  const items = result.Items ?? [];
  const pageItems = items.slice(0, page.limit);
  const last = pageItems.at(-1);
  const nextCursor =
    items.length > page.limit && last
      ? encodeCursor({ pk: last.pk, sk: last.sk, [pkName]: last[pkName], [skName]: last[skName] })
      : undefined;
  return { items: pageItems, ...(nextCursor ? { nextCursor } : {}) };
}
