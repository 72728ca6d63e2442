import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#shared/domain/errors.ts';
import { type Initiative, InitiativeSchema } from '#shared/domain/initiative.ts';
import { type ModerationCase, ModerationCaseSchema } from '#shared/domain/moderation.ts';
import type {
  CommitOptions,
  InitiativeFilter,
  InitiativeRepository,
  Page,
  PageRequest,
} from '#shared/ports.ts';
import { SlugTakenError } from '#shared/ports.ts';
import { keys } from './keys.ts';
import { queryPage } from './query.ts';
import { searchText } from './search.ts';
import { commit } from './transaction.ts';

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

const LISTING_KEYS = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'] as const;

/**
 * Rewrites a stored initiative on top of the revision it was read at, as an Update rather than a Put:
 * what other writers keep on the item (the moderation state, `moderation`) survives an owner's edit.
 * An initiative that is no longer published leaves the list indexes.
 */
export function initiativeRewrite(tableName: string, initiative: Initiative) {
  const { pk, sk, ...fields } = initiativeToItem(initiative);
  const set = Object.keys(fields);
  const removed = LISTING_KEYS.filter((name) => !(name in fields));
  const names = Object.fromEntries([...set, ...removed].map((name) => [`#${name}`, name]));
  return {
    Update: {
      TableName: tableName,
      Key: { pk, sk },
      UpdateExpression: [
        `SET ${set.map((name) => `#${name} = :${name}`).join(', ')}`,
        ...(removed.length > 0 ? [`REMOVE ${removed.map((name) => `#${name}`).join(', ')}`] : []),
      ].join(' '),
      ConditionExpression: '#revision = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [`:${name}`, value])),
        ':expected': initiative.revision - 1,
      },
    },
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

  async getWithModeration(id: string): Promise<{ initiative?: Initiative; moderation?: ModerationCase }> {
    // The moderation state is mirrored on the initiative's item (`DynamoModeration.saveCase`): one read.
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.initiative(id) }),
    );
    if (!Item) return {};
    return {
      initiative: fromItem(Item),
      ...(Item.moderation ? { moderation: ModerationCaseSchema.parse(Item.moderation) } : {}),
    };
  }

  async idOfSlug(slug: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.slug(slug) }),
    );
    return typeof Item?.initiativeId === 'string' ? Item.initiativeId : undefined;
  }

  async getBySlug(slug: string): Promise<Initiative | undefined> {
    const id = await this.idOfSlug(slug);
    return id ? this.get(id) : undefined;
  }

  async list(filter: InitiativeFilter, page: PageRequest): Promise<Page<Initiative>> {
    const partition = filter.municipalityId
      ? filter.neighbourhoodId
        ? keys.neighbourhoodInitiatives(filter.municipalityId, filter.neighbourhoodId)
        : keys.municipalityInitiatives(filter.municipalityId)
      : keys.allInitiatives();
    // Hidden by moderation: left out here, by the state mirrored on the item (`DynamoModeration.saveCase`).
    const conditions: string[] = ['(attribute_not_exists(#moderation) OR #moderation.#status <> :hidden)'];
    const names: Record<string, string> = { '#moderation': 'moderation', '#status': 'status' };
    const values: Record<string, unknown> = { ':hidden': 'hidden' };
    if (filter.theme) {
      conditions.push('contains(#data.themes, :theme)');
      names['#data'] = 'data';
      values[':theme'] = filter.theme;
    }
    const words = filter.q ? searchText([filter.q]).split(' ').filter(Boolean).slice(0, 5) : [];
    words.forEach((word, index) => {
      conditions.push(`contains(searchText, :q${index})`);
      values[`:q${index}`] = word;
    });
    const result = await queryPage(
      this.client,
      this.tableName,
      { ...partition, filter: { expression: conditions.join(' AND '), names, values } },
      page,
    );
    return { ...result, items: result.items.map(fromItem) };
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
        // Each owner's ownership item, so that a person's export and deletion find what they own
        // without a scan; written with the initiative, so neither exists without the other.
        ...initiative.owners.map((owner) => ({
          Put: {
            TableName: this.tableName,
            Item: { ...keys.ownership(owner, initiative.id), type: 'Ownership', initiativeId: initiative.id },
          },
        })),
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
      [initiativeRewrite(this.tableName, initiative)],
      options,
      () => new ConflictError('Someone else changed this initiative first; reload and try again.'),
    );
  }
}
