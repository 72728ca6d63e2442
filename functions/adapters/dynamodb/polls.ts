import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#shared/domain/errors.ts';
import { type Poll, PollSchema, type Tally } from '#shared/domain/poll.ts';
import type {
  BallotBox,
  PollFilter,
  PollRepository,
  ScheduledPollAction,
} from '#shared/domain/poll-ports.ts';
import type { CommitOptions, Page, PageRequest } from '#shared/ports.ts';
import { keys, pollStatusRank } from './keys.ts';
import { queryPage } from './query.ts';
import { commit, type TransactItem } from './transaction.ts';

/**
 * How a poll's count is spread over the table. Ballots of one poll may come by thousands a minute:
 * one tally item would cap them near 1,000 writes a second and make concurrent transactions on it
 * conflict, so each ballot adds to one of `tallyShards` items (each its own partition) picked at
 * random, and the results are their sum. Ballots themselves spread over `ballotPartitions`
 * partitions by their id. Both are written on the poll's item, so a later change of these defaults
 * leaves existing polls readable.
 */
export interface PollLayout {
  tallyShards: number;
  ballotPartitions: number;
}
export const DEFAULT_LAYOUT: PollLayout = { tallyShards: 10, ballotPartitions: 10 };

/** A ballot that keeps meeting concurrent writers tries again, with jittered back-off, this often. */
const CAST_ATTEMPTS = 15;
const CLOSED = 'This poll is closed; ballots can no longer be cast or changed.';
const STALE = 'Someone else changed this poll first; reload and try again.';

const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 5 * 2 ** attempt)));

function pollItem(poll: Poll, layout: PollLayout) {
  const dueAt = poll.status === 'draft' ? poll.opensAt : poll.status === 'open' ? poll.closesAt : undefined;
  return {
    ...keys.poll(poll.id),
    ...keys.pollListings(poll),
    ...(dueAt ? keys.pollDue(poll.id, dueAt) : {}),
    type: 'Poll',
    status: poll.status,
    // Top-level copies for the neighbourhood filter of lists.
    audienceScope: poll.audience.scope,
    ...(poll.audience.scope === 'neighbourhoods'
      ? { audienceNeighbourhoods: poll.audience.neighbourhoodIds }
      : {}),
    ...layout,
    data: poll,
    revision: poll.revision,
  };
}

function fromItem(item: Record<string, unknown>): Poll {
  return PollSchema.parse(item.data);
}

function layoutOf(item: Record<string, unknown>): PollLayout {
  return {
    tallyShards: Number(item.tallyShards ?? DEFAULT_LAYOUT.tallyShards),
    ballotPartitions: Number(item.ballotPartitions ?? DEFAULT_LAYOUT.ballotPartitions),
  };
}

const range = (count: number) => Array.from({ length: count }, (_, index) => index);

/** Reasons that pass: another writer held an item, or the table was briefly out of capacity. */
const TRANSIENT = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

function isTransactionConflict(error: unknown): boolean {
  return (
    (error instanceof TransactionCanceledException &&
      (error.CancellationReasons ?? []).some((reason) => TRANSIENT.has(reason.Code ?? ''))) ||
    (error as Error | undefined)?.name === 'TransactionConflictException'
  );
}

/** Polls, their sharded tallies and their ballots, in the one table. */
export class DynamoPolls implements PollRepository, BallotBox {
  /** Layouts of polls this process has read: a ballot right after its poll's read costs no extra read. */
  private readonly layouts = new Map<string, PollLayout>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly layout: PollLayout = DEFAULT_LAYOUT,
  ) {}

  async get(id: string): Promise<Poll | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.poll(id) }),
    );
    if (!Item) return undefined;
    this.remember(id, layoutOf(Item));
    return fromItem(Item);
  }

  async list(filter: PollFilter, page: PageRequest): Promise<Page<Poll>> {
    const partition = filter.municipalityId ? keys.municipalityPolls(filter.municipalityId) : keys.allPolls();
    const result = await queryPage(
      this.client,
      this.tableName,
      {
        ...partition,
        // Drafts rank lowest: without a status, the list starts above them.
        sk: filter.status
          ? { beginsWith: `${pollStatusRank[filter.status]}#` }
          : { atLeast: pollStatusRank.closed },
        ...(filter.neighbourhoodId !== undefined
          ? {
              filter: {
                expression: 'audienceScope = :everyone OR contains(audienceNeighbourhoods, :neighbourhood)',
                values: { ':everyone': 'municipality', ':neighbourhood': filter.neighbourhoodId },
              },
            }
          : {}),
      },
      page,
    );
    return { ...result, items: result.items.map(fromItem) };
  }

  async create(poll: Poll, options: CommitOptions): Promise<void> {
    const layout = this.layout;
    const emptyCounts = Object.fromEntries(poll.options.map((option) => [option.id, 0]));
    const shards: TransactItem[] = range(layout.tallyShards).map((shard) => ({
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.pollTallyShard(poll.id, shard),
          type: 'PollTally',
          // The shard itself knows whether it takes ballots and until when: each ballot's transaction
          // checks it there, so a closed or overdue poll refuses ballots without a read of the poll.
          state: poll.status,
          closesAt: poll.closesAt,
          ballots: 0,
          writes: 0,
          counts: emptyCounts,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
    await commit(
      this.client,
      this.tableName,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: pollItem(poll, layout),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...shards,
      ],
      options,
      () => new ConflictError(`Poll ${poll.id} exists already.`),
    );
    this.remember(poll.id, layout);
  }

  async open(poll: Poll, options: CommitOptions): Promise<void> {
    const layout = await this.layoutFor(poll.id);
    const shards: TransactItem[] = range(layout.tallyShards).map((shard) => ({
      Update: {
        TableName: this.tableName,
        Key: keys.pollTallyShard(poll.id, shard),
        UpdateExpression: 'SET #state = :open',
        // A sealed shard never opens again.
        ConditionExpression: '#state = :draft',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':open': 'open', ':draft': 'draft' },
      },
    }));
    await commit(
      this.client,
      this.tableName,
      [this.putAtRevision(poll, layout), ...shards],
      options,
      () => new ConflictError(STALE),
    );
  }

  async seal(pollId: string): Promise<void> {
    const layout = await this.layoutFor(pollId);
    await Promise.all(
      range(layout.tallyShards).map((shard) =>
        this.retryConflicts(() =>
          this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.pollTallyShard(pollId, shard),
              UpdateExpression: 'SET #state = :closed',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':closed': 'closed' },
            }),
          ),
        ),
      ),
    );
  }

  async close(poll: Poll, options: CommitOptions): Promise<void> {
    const layout = await this.layoutFor(poll.id);
    await commit(
      this.client,
      this.tableName,
      [this.putAtRevision(poll, layout)],
      options,
      () => new ConflictError(STALE),
    );
  }

  async tally(pollId: string): Promise<Tally> {
    const layout = await this.layoutFor(pollId);
    let pending: Record<string, unknown>[] = range(layout.tallyShards).map((shard) =>
      keys.pollTallyShard(pollId, shard),
    );
    const tally: Tally = { ballots: 0, counts: {} };
    // Shards may count negative for an option (a changed ballot takes back from any shard): only sums mean anything.
    while (pending.length > 0) {
      const result = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const shard of result.Responses?.[this.tableName] ?? []) {
        tally.ballots += Number(shard.ballots ?? 0);
        for (const [option, count] of Object.entries((shard.counts ?? {}) as Record<string, number>)) {
          tally.counts[option] = (tally.counts[option] ?? 0) + Number(count);
        }
      }
      pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    return tally;
  }

  async recount(pollId: string): Promise<Tally> {
    const layout = await this.layoutFor(pollId);
    const tally: Tally = { ballots: 0, counts: {} };
    await Promise.all(
      range(layout.ballotPartitions).map(async (partition) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const result = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.ballotPartition(pollId, partition).pk },
              ProjectionExpression: 'choices',
              ConsistentRead: true,
              ExclusiveStartKey: startKey,
            }),
          );
          for (const ballot of result.Items ?? []) {
            tally.ballots += 1;
            for (const choice of ballot.choices as string[])
              tally.counts[choice] = (tally.counts[choice] ?? 0) + 1;
          }
          startKey = result.LastEvaluatedKey;
        } while (startKey);
      }),
    );
    return tally;
  }

  async due(now: Date, limit: number): Promise<ScheduledPollAction[]> {
    const partition = keys.duePolls();
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: partition.index,
        // '~' sorts after every ULID character: everything due up to and including now.
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
        ExpressionAttributeValues: { ':pk': partition.pk, ':now': `${now.toISOString()}#~` },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => ({
      pollId: String((item.data as { id: string }).id),
      action: item.status === 'draft' ? 'open' : 'close',
    }));
  }

  /**
   * One transaction: the ballot, put over the revision just read (or as new), and one tally shard at
   * random, moved by the difference between the old choices and the new, plus one ballot for a first
   * ballot only. A concurrent change of the same ballot, or a conflict on the shard, makes it read the
   * ballot again and retry; a shard that is sealed or past closesAt refuses it for good.
   */
  async cast(pollId: string, ballotId: string, choices: string[], now: Date): Promise<{ replaced: boolean }> {
    const layout = await this.layoutFor(pollId);
    const partition = (Buffer.from(ballotId, 'base64url')[0] ?? 0) % layout.ballotPartitions;
    const key = keys.ballot(pollId, partition, ballotId);
    for (let attempt = 1; ; attempt++) {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      const previous = Item
        ? { choices: Item.choices as string[], revision: Number(Item.revision) }
        : undefined;
      const delta = new Map<string, number>();
      for (const choice of previous?.choices ?? []) delta.set(choice, (delta.get(choice) ?? 0) - 1);
      for (const choice of choices) delta.set(choice, (delta.get(choice) ?? 0) + 1);
      const moves = [...delta].filter(([, change]) => change !== 0);

      const names: Record<string, string> = { '#state': 'state', '#counts': 'counts' };
      const values: Record<string, unknown> = { ':open': 'open', ':now': now.toISOString(), ':one': 1 };
      const adds = ['writes :one', ...(previous ? [] : ['ballots :one'])];
      moves.forEach(([option, change], index) => {
        names[`#o${index}`] = option;
        values[`:d${index}`] = change;
        adds.push(`#counts.#o${index} :d${index}`);
      });
      const shard = Math.floor(Math.random() * layout.tallyShards);
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                // Nothing but the id and the choices: no voter, no time.
                Put: {
                  TableName: this.tableName,
                  Item: { ...key, type: 'Ballot', choices, revision: previous ? previous.revision + 1 : 0 },
                  ...(previous
                    ? {
                        ConditionExpression: 'revision = :revision',
                        ExpressionAttributeValues: { ':revision': previous.revision },
                      }
                    : { ConditionExpression: 'attribute_not_exists(pk)' }),
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.pollTallyShard(pollId, shard),
                  UpdateExpression: `ADD ${adds.join(', ')}`,
                  ConditionExpression: '#state = :open AND closesAt > :now',
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: values,
                },
              },
            ],
          }),
        );
        return { replaced: previous !== undefined };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [ballotReason, shardReason] = error.CancellationReasons ?? [];
        if (shardReason?.Code === 'ConditionalCheckFailed') throw new ConflictError(CLOSED);
        const retryable = ballotReason?.Code === 'ConditionalCheckFailed' || isTransactionConflict(error);
        if (!retryable || attempt >= CAST_ATTEMPTS) {
          if (retryable) throw new ConflictError('Too many ballots at this moment; please try again.');
          throw error;
        }
        await pause(attempt);
      }
    }
  }

  async find(pollId: string, ballotId: string): Promise<string[] | undefined> {
    const layout = await this.layoutFor(pollId);
    const partition = (Buffer.from(ballotId, 'base64url')[0] ?? 0) % layout.ballotPartitions;
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.ballot(pollId, partition, ballotId),
        ConsistentRead: true,
      }),
    );
    return Item ? (Item.choices as string[]) : undefined;
  }

  private putAtRevision(poll: Poll, layout: PollLayout): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: pollItem(poll, layout),
        ConditionExpression: 'revision = :expected',
        ExpressionAttributeValues: { ':expected': poll.revision - 1 },
      },
    };
  }

  private async layoutFor(pollId: string): Promise<PollLayout> {
    const known = this.layouts.get(pollId);
    if (known) return known;
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.poll(pollId),
        ProjectionExpression: 'tallyShards, ballotPartitions',
      }),
    );
    const layout = Item ? layoutOf(Item) : this.layout;
    this.remember(pollId, layout);
    return layout;
  }

  private remember(pollId: string, layout: PollLayout): void {
    // A warm function sees few polls; the bound only keeps a long-lived process from growing.
    if (this.layouts.size >= 1000) this.layouts.clear();
    this.layouts.set(pollId, layout);
  }

  private async retryConflicts<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (!isTransactionConflict(error) || attempt >= CAST_ATTEMPTS) throw error;
        await pause(attempt);
      }
    }
  }
}
