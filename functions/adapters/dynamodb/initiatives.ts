import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ValidationError } from '#shared/domain/errors.ts';
import { type Initiative, InitiativeSchema } from '#shared/domain/initiative.ts';
import type {
  CommitOptions,
  InitiativeFilter,
  InitiativeRepository,
  Page,
  PageRequest,
} from '#shared/ports.ts';
import { SlugTakenError } from '#shared/ports.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { keys } from './keys.ts';
import { searchText } from './search.ts';
import { commit } from './transaction.ts';

/** How many items one list request may read while filtering, so a rare filter cannot run away. */
const MAX_ITEMS_READ_PER_PAGE = 500;

/** The table item of an initiative; exported for bulk loading in benchmarks. */
export function initiativeToItem(initiative: Initiative) {
  return {
    ...keys.initiative(initiative.id),
    ...(initiative.status === 'published' ? keys.initiativeListings(initiative) : {}),
    type: 'Initiative',
    searchText: searchText([initiative.name, initiative.summary, ...initiative.themes]),
    data: initiative,
    revision: initiative.revision,
  };
}

function fromItem(item: Record<string, unknown>): Initiative {
  return InitiativeSchema.parse(item.data);
}

export class DynamoInitiativeRepository implements InitiativeRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Initiative | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.initiative(id) }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async getBySlug(slug: string): Promise<Initiative | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.slug(slug) }),
    );
    return typeof Item?.initiativeId === 'string' ? this.get(Item.initiativeId) : undefined;
  }

  async list(filter: InitiativeFilter, page: PageRequest): Promise<Page<Initiative>> {
    const partition = filter.municipalityId
      ? filter.neighbourhoodId
        ? keys.neighbourhoodInitiatives(filter.municipalityId, filter.neighbourhoodId)
        : keys.municipalityInitiatives(filter.municipalityId)
      : keys.allInitiatives();
    const pkName = `${partition.index}pk`;
    const skName = `${partition.index}sk`;
    const conditions: string[] = [];
    const values: Record<string, unknown> = { ':pk': partition.pk };
    if (filter.theme) {
      conditions.push('contains(#data.themes, :theme)');
      values[':theme'] = filter.theme;
    }
    const words = filter.q ? searchText([filter.q]).split(' ').filter(Boolean).slice(0, 5) : [];
    words.forEach((word, index) => {
      conditions.push(`contains(searchText, :q${index})`);
      values[`:q${index}`] = word;
    });
    const filtered = conditions.length > 0;

    let startKey = page.cursor ? decodeCursor(page.cursor, { [pkName]: partition.pk }) : undefined;
    if (page.cursor && !startKey)
      throw new ValidationError([{ path: 'cursor', message: 'is not a cursor of this list' }]);
    const items: Record<string, unknown>[] = [];
    let read = 0;
    let exhausted = false;
    while (items.length < page.limit && read < MAX_ITEMS_READ_PER_PAGE) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: partition.index,
          KeyConditionExpression: `${pkName} = :pk`,
          ...(filtered ? { FilterExpression: conditions.join(' AND ') } : {}),
          ...(filter.theme ? { ExpressionAttributeNames: { '#data': 'data' } } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          // Unfiltered, a page reads exactly what it returns (one more tells whether there is a next page).
          Limit: filtered ? Math.min(100, MAX_ITEMS_READ_PER_PAGE - read) : page.limit + 1 - items.length,
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
    return { items: pageItems.map(fromItem), ...(nextCursor ? { nextCursor } : {}) };
  }

  async create(initiative: Initiative, options: CommitOptions): Promise<void> {
    await commit(
      this.client,
      this.tableName,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: initiativeToItem(initiative),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.slug(initiative.slug), type: 'Slug', initiativeId: initiative.id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      options,
      (index) =>
        index === 1
          ? new SlugTakenError(initiative.slug)
          : new ConflictError(`Initiative ${initiative.id} exists already.`),
    );
  }

  async update(initiative: Initiative, options: CommitOptions): Promise<void> {
    await commit(
      this.client,
      this.tableName,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: initiativeToItem(initiative),
            ConditionExpression: 'revision = :expected',
            ExpressionAttributeValues: { ':expected': initiative.revision - 1 },
          },
        },
      ],
      options,
      () => new ConflictError('Someone else changed this initiative first; reload and try again.'),
    );
  }
}
