import { AsyncLocalStorage } from 'node:async_hooks';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Actor } from '#shared/domain/actor.ts';
import {
  type AuditEntry,
  AuditEntrySchema,
  type AuditedWrite,
  auditEntryFor,
  auditedItemTypes,
} from '#shared/domain/moderation-audit.ts';
import type { DomainEvent } from '#shared/events/catalog.ts';
import type { Page, PageRequest } from '#shared/ports.ts';
import { keys } from './keys.ts';
import { queryPage } from './query.ts';
import type { TransactItem } from './transaction.ts';

/**
 * Who is acting in this request. The HTTP edge enters it when a decision is made (`decisionContext`), so
 * that `commit()` can add the audit entry of a staff action to the same transaction, for every route,
 * without code in each. Consumers and schedules act as nobody and are not audited.
 */
const acting = new AsyncLocalStorage<{ actor: Actor } | undefined>();

/**
 * Runs one request's work as done by `actor` (or by no one): what it commits is audited as that
 * person's. Scoped with `run`, so nothing leaks into the next request, a timer or a consumer.
 */
export function withActor<T>(actor: Actor | undefined, work: () => Promise<T>): Promise<T> {
  return acting.run(actor ? { actor } : undefined, work);
}

export function currentActor(): Actor | undefined {
  return acting.getStore()?.actor;
}

const newId = monotonicFactory();

const CHANGE_BY_PREFIX: Record<string, string> = { SUBSCRIPTION: 'Subscription', DELIVERY: 'Delivery' };

/** The items of a transaction as the audit sees them; a Delete reads its item to learn the municipality. */
async function writesOf(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly TransactItem[],
): Promise<AuditedWrite[]> {
  const writes: AuditedWrite[] = [];
  for (const item of items) {
    if (item.Put) {
      const stored = item.Put.Item as { type?: unknown; data?: { id?: unknown; municipalityId?: unknown } };
      if (typeof stored.type !== 'string' || typeof stored.data?.id !== 'string') continue;
      writes.push({
        type: stored.type,
        id: stored.data.id,
        municipalityId:
          typeof stored.data.municipalityId === 'string' ? stored.data.municipalityId : undefined,
        change: item.Put.ConditionExpression === 'attribute_not_exists(pk)' ? 'Created' : 'Changed',
      });
    } else if (item.Update) {
      const [prefix, id] = String(item.Update.Key?.pk ?? '').split('#');
      const type = CHANGE_BY_PREFIX[prefix ?? ''];
      const data = item.Update.ExpressionAttributeValues?.[':data'] as
        | { municipalityId?: unknown }
        | undefined;
      if (!type || !id || !data) continue;
      writes.push({
        type,
        id,
        municipalityId: typeof data.municipalityId === 'string' ? data.municipalityId : undefined,
        change: 'Changed',
      });
    } else if (item.Delete) {
      const [prefix, id] = String(item.Delete.Key?.pk ?? '').split('#');
      const type = CHANGE_BY_PREFIX[prefix ?? ''];
      if (!type || !id || !auditedItemTypes.includes(type)) continue;
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: item.Delete.Key, ConsistentRead: true }),
      );
      const municipalityId = (Item?.data as { municipalityId?: unknown } | undefined)?.municipalityId;
      writes.push({
        type,
        id,
        municipalityId: typeof municipalityId === 'string' ? municipalityId : undefined,
        change: 'Deleted',
      });
    }
  }
  return writes;
}

/** A Put that only ever adds: a fresh id, refused if the key exists. */
export function auditPut(tableName: string, entry: AuditEntry): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.auditEntry(entry.id), ...keys.auditListing(entry), type: 'AuditEntry', data: entry },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The audit item to commit with these items and events, when the acting person does this as staff. */
export async function auditItemFor(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly TransactItem[],
  events: readonly DomainEvent[],
): Promise<TransactItem | undefined> {
  const actor = currentActor();
  if (!actor || (actor.staffOf.length === 0 && !actor.isPlatformAdmin)) return undefined;
  const entry = auditEntryFor(
    actor,
    { events, writes: await writesOf(client, tableName, items) },
    { now: new Date(), newId },
  );
  return entry ? auditPut(tableName, entry) : undefined;
}

export class DynamoAuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A municipality's audit log, newest first. */
  async list(municipalityId: string, page: PageRequest): Promise<Page<AuditEntry>> {
    const result = await queryPage(this.client, this.tableName, keys.municipalityAudit(municipalityId), page);
    return { ...result, items: result.items.map((item) => AuditEntrySchema.parse(item.data)) };
  }
}
