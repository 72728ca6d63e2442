import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { definitionOf } from '#shared/events/registry.ts';
import { DynamoFeed } from '../adapters/dynamodb/feed.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';

let feed: DynamoFeed | undefined;

/** Keeps the latest public events per municipality and neighbourhood for the Atom feeds; idempotent by key. */
export const handler = middy<EventBridgeEvent<string, unknown>, { kept: true }>().handler(async (event) => {
  const detailType = event['detail-type'];
  const detail = definitionOf(detailType).detail.parse(event.detail);
  if (!feed) {
    const { client, tableName } = table();
    feed = new DynamoFeed(client, tableName);
  }
  await feed.add({ source: event.source, detailType, detail });
  return { kept: true };
});
