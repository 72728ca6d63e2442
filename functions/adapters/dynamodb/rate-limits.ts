import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { RateCounter, RateDecision, RateLimiter } from '#shared/domain/rate-limit.ts';
import { keys } from './keys.ts';

interface CounterItem {
  pk: string;
  count: number;
  /** Epoch milliseconds at which the window ends. */
  endsAt: number;
}

/** Counters outlive their window by a day at most: TTL clears them (TTL deletion lags a little). */
const TTL_SLACK_SECONDS = 86_400;
const FIRST_SEEN_CACHE_SIZE = 10_000;
/** Kept a little over a year: an account that made no write for that long starts a new cool-down. */
const FIRST_SEEN_RETENTION_DAYS = 400;

/**
 * Rate counters in the one table: one item per counter holding the current window's count and end.
 * A write first reads every counter it is charged to (one consistent BatchGet); if one is full it is
 * refused having written nothing. Otherwise each counter is charged with a conditional UpdateItem
 * (add one while the window lasts and has room, or start a new window once it has ended), so any
 * number of concurrent function instances never let more than `limit` writes into one window. A
 * counter that fills between the read and the charge refuses the write, and the others are given
 * their unit back.
 */
export class DynamoRateLimiter implements RateLimiter {
  /** First-seen times never change, so each instance asks the table once per account. */
  private readonly firstSeenCache = new Map<string, Date>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(counters: RateCounter[], now: Date): Promise<RateDecision> {
    if (counters.length === 0) return { allowed: true };
    const nowMs = now.getTime();
    const current = await this.read(counters);
    for (const counter of counters) {
      const item = current.get(keys.rateCounter(counter.id).pk);
      if (item && item.endsAt > nowMs && item.count >= counter.budget.limit) {
        return refusal(counter, item, nowMs);
      }
    }
    const charged = await Promise.all(counters.map((counter) => this.charge(counter, nowMs)));
    const refusedAt = charged.indexOf(undefined);
    if (refusedAt === -1) return { allowed: true };
    await Promise.all(
      charged.map((result, index) => (result ? this.giveBack(counters[index] as RateCounter, result) : null)),
    );
    const counter = counters[refusedAt] as RateCounter;
    const [item] = (await this.read([counter])).values();
    return refusal(counter, item ?? { pk: '', count: 0, endsAt: nowMs + 1000 }, nowMs);
  }

  async firstSeen(userId: string, now: Date): Promise<Date> {
    const cached = this.firstSeenCache.get(userId);
    if (cached) return cached;
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.accountFirstSeen(userId),
        UpdateExpression:
          'SET firstSeenAt = if_not_exists(firstSeenAt, :now), #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':now': now.toISOString(),
          ':ttl': Math.floor(now.getTime() / 1000) + FIRST_SEEN_RETENTION_DAYS * 86_400,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const firstSeenAt = new Date(String(result.Attributes?.firstSeenAt ?? now.toISOString()));
    if (this.firstSeenCache.size >= FIRST_SEEN_CACHE_SIZE) this.firstSeenCache.clear();
    this.firstSeenCache.set(userId, firstSeenAt);
    return firstSeenAt;
  }

  private async read(counters: RateCounter[]): Promise<Map<string, CounterItem>> {
    const unique = [...new Set(counters.map((counter) => counter.id))].map((id) => keys.rateCounter(id));
    const result = await this.client.send(
      new BatchGetCommand({
        RequestItems: { [this.tableName]: { Keys: unique, ConsistentRead: true } },
      }),
    );
    const items = (result.Responses?.[this.tableName] ?? []) as CounterItem[];
    return new Map(items.map((item) => [item.pk, item]));
  }

  /** Adds one to the live window, or starts a new one; undefined when the window is full. */
  private async charge(counter: RateCounter, nowMs: number): Promise<{ endsAt: number } | undefined> {
    const key = keys.rateCounter(counter.id);
    const names = { '#count': 'count', '#endsAt': 'endsAt' };
    // Concurrent writes may start the window between our two tries: then add to theirs.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const added = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'ADD #count :one',
            ConditionExpression: '#endsAt > :now AND #count < :limit',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':one': 1, ':now': nowMs, ':limit': counter.budget.limit },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { endsAt: Number(added.Attributes?.endsAt) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const old = error.Item ? unmarshall(error.Item) : undefined;
        if (old && Number(old.endsAt) > nowMs) return undefined;
      }
      // No live window: start one, unless another write just did.
      const endsAt = nowMs + counter.budget.windowSeconds * 1000;
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #count = :one, #endsAt = :endsAt, #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(pk) OR #endsAt <= :now',
            ExpressionAttributeNames: { ...names, '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':one': 1,
              ':now': nowMs,
              ':endsAt': endsAt,
              ':ttl': Math.ceil(endsAt / 1000) + TTL_SLACK_SECONDS,
            },
          }),
        );
        return { endsAt };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return undefined;
  }

  /** Returns a unit to a window that is still the one it was charged to. */
  private async giveBack(counter: RateCounter, charged: { endsAt: number }): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.rateCounter(counter.id),
          UpdateExpression: 'ADD #count :minusOne',
          ConditionExpression: '#endsAt = :endsAt AND #count > :zero',
          ExpressionAttributeNames: { '#count': 'count', '#endsAt': 'endsAt' },
          ExpressionAttributeValues: { ':minusOne': -1, ':endsAt': charged.endsAt, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function refusal(counter: RateCounter, item: CounterItem, nowMs: number): RateDecision {
  return {
    allowed: false,
    counter,
    retryAfterSeconds: Math.max(1, Math.ceil((item.endsAt - nowMs) / 1000)),
  };
}
