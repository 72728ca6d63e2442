import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '#shared/domain/errors.ts';
import type { Page, PageRequest } from '#shared/ports.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { IndexName } from './table.ts';

export interface PartitionQuery {
  index: IndexName;
  pk: string;
  /** Narrows the sort key: a prefix, or a lower bound. */
  sk?: { beginsWith: string } | { atLeast: string };
  /** Oldest first when true; newest first by default. */
  forward?: boolean;
  /** A FilterExpression over the partition's items, with its own names and values. */
  filter?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };
}

/** How many items one filtered page may read, so that a rare filter cannot run away. */
export const MAX_ITEMS_READ_PER_PAGE = 500;

/**
 * One page of an index partition, with an opaque cursor that only this partition accepts. Unfiltered,
 * a page reads what it returns plus one (to know whether another page exists); filtered, it reads on
 * until the page is full, the partition ends or the read budget is spent, and the cursor resumes
 * right after the last item returned.
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  query: PartitionQuery,
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  const pkName = `${query.index}pk`;
  const skName = `${query.index}sk`;
  let startKey = page.cursor ? decodeCursor(page.cursor, { [pkName]: query.pk }) : undefined;
  if (page.cursor && !startKey)
    throw new ValidationError([{ path: 'cursor', message: 'is not a cursor of this list' }]);

  const names: Record<string, string> = { '#pk': pkName, ...query.filter?.names };
  const values: Record<string, unknown> = { ':pk': query.pk, ...query.filter?.values };
  let keyCondition = '#pk = :pk';
  if (query.sk) {
    names['#sk'] = skName;
    if ('beginsWith' in query.sk) {
      keyCondition += ' AND begins_with(#sk, :sk)';
      values[':sk'] = query.sk.beginsWith;
    } else {
      keyCondition += ' AND #sk >= :sk';
      values[':sk'] = query.sk.atLeast;
    }
  }

  const items: Record<string, unknown>[] = [];
  let read = 0;
  let exhausted = false;
  while (items.length <= page.limit && read < MAX_ITEMS_READ_PER_PAGE) {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: query.index,
        KeyConditionExpression: keyCondition,
        ...(query.filter ? { FilterExpression: query.filter.expression } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: query.forward ?? false,
        Limit: query.filter ? Math.min(100, MAX_ITEMS_READ_PER_PAGE - read) : page.limit + 1 - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    read += result.ScannedCount ?? 0;
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
    if (!startKey) {
      exhausted = true;
      break;
    }
  }
  const pageItems = items.slice(0, page.limit);
  const last = pageItems.at(-1);
  const more = items.length > page.limit || !exhausted;
  const nextCursor =
    more && last
      ? encodeCursor({ pk: last.pk, sk: last.sk, [pkName]: last[pkName], [skName]: last[skName] })
      : more && startKey
        ? encodeCursor(startKey)
        : undefined;
  return { items: pageItems, ...(nextCursor ? { nextCursor } : {}) };
}

/** Every item of a small index partition (a municipality's subscriptions, all municipalities), page by page. */
export async function queryAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  query: Pick<PartitionQuery, 'index' | 'pk'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: query.index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': `${query.index}pk` },
        ExpressionAttributeValues: { ':pk': query.pk },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return items;
}
