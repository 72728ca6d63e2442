import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#shared/domain/errors.ts';
import {
  type ModerationCase,
  ModerationCaseSchema,
  type ModerationTargetKind,
  type Report,
  ReportSchema,
} from '#shared/domain/moderation.ts';
import type { CommitOptions, Page, PageRequest } from '#shared/ports.ts';
import { keys } from './keys.ts';
import { queryPage } from './query.ts';
import { commit } from './transaction.ts';

const STALE = 'Someone else moderated this first; reload and try again.';
/** BatchGetItem's limit per call. */
const BATCH = 100;

export class DynamoModeration {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getCase(kind: ModerationTargetKind, targetId: string): Promise<ModerationCase | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.moderationCase(kind, targetId) }),
    );
    return Item ? ModerationCaseSchema.parse(Item.data) : undefined;
  }

  /** Which of these items are hidden: one BatchGetItem per hundred, so a list page costs one more call. */
  async hiddenAmong(kind: ModerationTargetKind, targetIds: readonly string[]): Promise<Set<string>> {
    const cases = await this.casesAmong(kind, targetIds);
    return new Set([...cases.values()].filter((one) => one.status === 'hidden').map((one) => one.targetId));
  }

  /** The moderation cases of those of these items that have one, by item id. */
  async casesAmong(
    kind: ModerationTargetKind,
    targetIds: readonly string[],
  ): Promise<Map<string, ModerationCase>> {
    const cases = new Map<string, ModerationCase>();
    const unique = [...new Set(targetIds)];
    for (let start = 0; start < unique.length; start += BATCH) {
      let request: Record<string, unknown>[] | undefined = unique
        .slice(start, start + BATCH)
        .map((id) => keys.moderationCase(kind, id));
      while (request && request.length > 0) {
        const result: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: request,
                ProjectionExpression: '#data',
                ExpressionAttributeNames: { '#data': 'data' },
              },
            },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const moderation = ModerationCaseSchema.parse(item.data);
          cases.set(moderation.targetId, moderation);
        }
        request = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return cases;
  }

  /** Writes the case on top of the revision the decision read (a new case must not exist yet). */
  async saveCase(moderation: ModerationCase, options: CommitOptions): Promise<void> {
    const item = {
      ...keys.moderationCase(moderation.kind, moderation.targetId),
      type: 'ModerationCase',
      data: moderation,
      revision: moderation.revision,
    };
    await commit(
      this.client,
      this.tableName,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: item,
            ...(moderation.revision === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'revision = :expected',
                  ExpressionAttributeValues: { ':expected': moderation.revision - 1 },
                }),
          },
        },
        // An initiative carries its state too, so that reading it is one GetItem (owners' edits keep it).
        ...(moderation.kind === 'initiative'
          ? [
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.initiative(moderation.targetId),
                  UpdateExpression: 'SET #moderation = :moderation',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: { '#moderation': 'moderation' },
                  ExpressionAttributeValues: { ':moderation': moderation },
                },
              },
            ]
          : []),
      ],
      options,
      () => new ConflictError(STALE),
    );
  }

  async createReport(report: Report, options: CommitOptions): Promise<void> {
    await commit(
      this.client,
      this.tableName,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.report(report.id), ...keys.reportListing(report), type: 'Report', data: report },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        // Who reported is private, but it is the reporter's data: their export and deletion find it here.
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.reportBy(report.reporterId, report.id), type: 'ReportedBy', reportId: report.id },
          },
        },
      ],
      options,
      () => new ConflictError(STALE),
    );
  }

  /** A municipality's reports, newest first. */
  async listReports(municipalityId: string, page: PageRequest): Promise<Page<Report>> {
    const result = await queryPage(
      this.client,
      this.tableName,
      keys.municipalityReports(municipalityId),
      page,
    );
    return { ...result, items: result.items.map((item) => ReportSchema.parse(item.data)) };
  }
}
