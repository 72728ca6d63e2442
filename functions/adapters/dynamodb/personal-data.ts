import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AccountDeletionPlan, DELETED_OWNER, planAccountDeletion } from '#shared/domain/account.ts';
import type { Actor } from '#shared/domain/actor.ts';
import { ConflictError } from '#shared/domain/errors.ts';
import { FacilitationRequestSchema, OfferSchema } from '#shared/domain/facilitation.ts';
import { type Initiative, InitiativeSchema } from '#shared/domain/initiative.ts';
import type { DecisionContext } from '#shared/domain/initiative-decisions.ts';
import { type Report, ReportSchema } from '#shared/domain/moderation.ts';
import type { PersonalDataSourceInfo } from '#shared/domain/personal-data.ts';
import { type Poll, PollSchema } from '#shared/domain/poll.ts';
import { initiativeRewrite } from './initiatives.ts';
import { expiresAfter, keys } from './keys.ts';
import { outboxItem, type TransactItem } from './transaction.ts';

/** What a deletion did to the initiatives the person owned (the AccountDeleted event's data). */
export interface AccountDeletionSummary {
  initiativesArchived: number;
  initiativesLeft: number;
}

/** DynamoDB's limit of items in one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;
/**
 * How long a deleted account's mark is kept: longer than any token lives (Cognito ID tokens at most a
 * day, the development issuer's 12 hours), so that every token issued before the deletion is refused.
 */
const DELETED_ACCOUNT_MARK_DAYS = 2;

/** One store of personal data: how to collect it for an export, and the writes that erase it. */
export interface PersonalDataSource extends PersonalDataSourceInfo {
  collect(person: Actor): Promise<unknown[]>;
  /** Groups of writes, each committed atomically; absent when the data stays (the description says why). */
  erase?(person: Actor, context: DecisionContext): Promise<TransactItem[][]>;
}

export class DynamoPersonalData {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every item of a partition (of the table or an index), following pages. */
  async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** The initiatives a person owns, found through their ownership items (never a scan). */
  async ownedInitiatives(userId: string): Promise<Initiative[]> {
    const { pk, skPrefix } = keys.ownerships(userId);
    const ownerships = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
      ConsistentRead: true,
    });
    const ids = ownerships.map((item) => String(item.initiativeId));
    const initiatives: Initiative[] = [];
    for (let start = 0; start < ids.length; start += 100) {
      let requested: Record<string, unknown>[] = ids
        .slice(start, start + 100)
        .map((id) => keys.initiative(id));
      while (requested.length > 0) {
        const result = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: requested, ConsistentRead: true } },
          }),
        );
        initiatives.push(
          ...(result.Responses?.[this.tableName] ?? []).map((item) => InitiativeSchema.parse(item.data)),
        );
        requested = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    // Only initiatives that still name the person as an owner (the items are written together, but a
    // read between two transactions of a deletion may see one without the other).
    return initiatives
      .filter((initiative) => initiative.owners.includes(userId))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Stored answers to a person's Idempotency-Keys (kept 24 hours). */
  async idempotencyRecords(userId: string) {
    const { pk } = keys.idempotencyOf(userId);
    return this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    });
  }

  /** A person's mark of deletion: a token they were issued at or before it is refused. */
  async deletedAt(userId: string): Promise<Date | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.deletedAccount(userId) }),
    );
    return typeof Item?.deletedAt === 'string' ? new Date(Item.deletedAt) : undefined;
  }

  /** True when the account was deleted after this token was issued (`iat`, seconds since the epoch). */
  async isDeletedSince(userId: string, issuedAt: number | undefined): Promise<boolean> {
    const deletedAt = await this.deletedAt(userId);
    if (!deletedAt) return false;
    return issuedAt === undefined || issuedAt <= Math.floor(deletedAt.getTime() / 1000);
  }

  /**
   * Erases what every source holds about the person and marks the account deleted, in as few
   * transactions as DynamoDB's 100-item limit allows; the mark and the AccountDeleted event go in the
   * last one. Each group is conditional on what it read, so a retry after a partial run (or a concurrent
   * edit) redoes only what is left.
   */
  async eraseAccount(
    person: Actor,
    sources: readonly PersonalDataSource[],
    context: DecisionContext,
  ): Promise<AccountDeletionSummary> {
    const groups: TransactItem[][] = [];
    for (const source of sources) if (source.erase) groups.push(...(await source.erase(person, context)));
    const owned = await this.ownedInitiatives(person.userId);
    const { accountDeleted } = planAccountDeletion(person, owned, context);
    groups.push([
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.deletedAccount(person.userId),
            deletedAt: context.now.toISOString(),
            ttl: expiresAfter(DELETED_ACCOUNT_MARK_DAYS, context.now),
          },
        },
      },
      // When the account was first seen (for the new-account cool-down) goes with it.
      { Delete: { TableName: this.tableName, Key: keys.accountFirstSeen(person.userId) } },
      outboxItem(this.tableName, accountDeleted),
    ]);
    for (const batch of packTransactions(groups)) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: batch }));
      } catch (error) {
        if ((error as Error).name === 'TransactionCanceledException') {
          throw new ConflictError(
            'Something you own changed while your account was being deleted; try again.',
          );
        }
        throw error;
      }
    }
    return accountDeleted.detail.data as AccountDeletionSummary;
  }

  /** The writes for one initiative of a deletion plan: the initiative, its ownership item, its events. */
  initiativeWrites(plan: AccountDeletionPlan['initiatives'][number], userId: string): TransactItem[] {
    const { state, events } = plan;
    return [
      initiativeRewrite(this.tableName, state),
      { Delete: { TableName: this.tableName, Key: keys.ownership(userId, state.id) } },
      ...events.map((event) => outboxItem(this.tableName, event)),
    ];
  }

  /** The sources of personal data this table holds. A feature that stores more adds its source here. */
  sources(): PersonalDataSource[] {
    return [
      {
        name: 'initiatives',
        description:
          'Initiatives you own, with their private fields (owners, contact address). Deleting your account ' +
          'removes you from the owners of an initiative you share, and archives one you own alone (its ' +
          'contact address is dropped): handing it over would need the consent of whoever takes it.',
        collect: (person) => this.ownedInitiatives(person.userId),
        erase: async (person, context) => {
          const plan = planAccountDeletion(person, await this.ownedInitiatives(person.userId), context);
          return plan.initiatives.map((decision) => this.initiativeWrites(decision, person.userId));
        },
      },
      {
        name: 'facilitation',
        description:
          "Requests for help and offers of the initiatives you own. They are the initiative's, not yours: " +
          'they name no person and stay with the initiative.',
        collect: async (person) => {
          const initiatives = await this.ownedInitiatives(person.userId);
          const lists = await Promise.all(
            initiatives.map((initiative) =>
              this.queryAll({
                IndexName: 'gsi1',
                KeyConditionExpression: 'gsi1pk = :pk',
                ExpressionAttributeValues: {
                  ':pk': keys.initiativeFacilitation(initiative.id, 'REQUEST').pk,
                },
              }),
            ),
          );
          return lists
            .flat()
            .map((item) =>
              item.type === 'Offer'
                ? { type: 'offer', offer: OfferSchema.parse(item.data) }
                : { type: 'request', request: FacilitationRequestSchema.parse(item.data) },
            );
        },
      },
      {
        name: 'polls',
        description:
          "Polls of the initiatives you own (published ones; an initiative's drafts are listed nowhere yet). " +
          "They are the initiative's and stay; ballots are never linked to anyone.",
        collect: (person) => this.pollsOfOwnedInitiatives(person.userId),
      },
      {
        name: 'reports',
        description:
          'Reports you made about an initiative, request or poll. Staff see a report without who made it. ' +
          'Deleting your account keeps the report for the moderation record but removes your id from it.',
        collect: async (person) => (await this.reportsBy(person.userId)).map(({ report }) => report),
        erase: async (person) =>
          (await this.reportsBy(person.userId)).map(({ report, sk }) => [
            { Delete: { TableName: this.tableName, Key: { pk: keys.reportsBy(person.userId).pk, sk } } },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.report(report.id),
                UpdateExpression: 'SET #data.#reporter = :nobody',
                ConditionExpression: '#data.#reporter = :me',
                ExpressionAttributeNames: { '#data': 'data', '#reporter': 'reporterId' },
                ExpressionAttributeValues: { ':nobody': DELETED_OWNER, ':me': person.userId },
              },
            },
          ]),
      },
      {
        name: 'idempotencyRecords',
        description:
          'Answers the hub stored for your Idempotency-Keys (kept 24 hours, so that a retried request gets ' +
          'the same answer). Deleting your account deletes them.',
        collect: async (person) =>
          (await this.idempotencyRecords(person.userId)).map((item) => ({
            fingerprint: item.fingerprint,
            response: item.response,
          })),
        erase: async (person) =>
          (await this.idempotencyRecords(person.userId)).map((item) => [
            { Delete: { TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } } },
          ]),
      },
    ];
  }

  /** The reports a person made, through their index items (never a scan). */
  async reportsBy(userId: string): Promise<{ report: Report; sk: string }[]> {
    const { pk, skPrefix } = keys.reportsBy(userId);
    const index = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
      ConsistentRead: true,
    });
    const found = await Promise.all(
      index.map(async (item) => {
        const { Item } = await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: keys.report(String(item.reportId)),
            ConsistentRead: true,
          }),
        );
        return Item ? { report: ReportSchema.parse(Item.data), sk: String(item.sk) } : undefined;
      }),
    );
    return found.filter((entry) => entry !== undefined && entry.report.reporterId === userId) as {
      report: Report;
      sk: string;
    }[];
  }

  /** Reads the polls of each municipality where the person owns an initiative, keeping their initiatives'. */
  async pollsOfOwnedInitiatives(userId: string): Promise<Poll[]> {
    const initiatives = await this.ownedInitiatives(userId);
    const ids = new Set(initiatives.map((initiative) => initiative.id));
    const municipalities = [...new Set(initiatives.map((initiative) => initiative.municipalityId))];
    const lists = await Promise.all(
      municipalities.map((municipalityId) =>
        this.queryAll({
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.municipalityPolls(municipalityId).pk },
        }),
      ),
    );
    return lists
      .flat()
      .map((item) => PollSchema.parse(item.data))
      .filter((poll) => poll.owner.kind === 'initiative' && ids.has(poll.owner.initiativeId));
  }
}

/** Packs groups of writes, each kept whole, into as few transactions of at most 100 items as they fit. */
export function packTransactions(groups: readonly TransactItem[][]): TransactItem[][] {
  const batches: TransactItem[][] = [];
  let current: TransactItem[] = [];
  for (const group of groups) {
    if (group.length > MAX_TRANSACTION_ITEMS) throw new Error('A group of writes exceeds one transaction');
    if (current.length + group.length > MAX_TRANSACTION_ITEMS) {
      batches.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
