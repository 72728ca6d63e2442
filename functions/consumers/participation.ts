import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { participationUpdates } from '#shared/domain/participation.ts';
import { definitionOf } from '#shared/events/registry.ts';
import { DynamoParticipationFigures } from '../adapters/dynamodb/participation.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';

const CONSUMER = 'participation';
let figures: DynamoParticipationFigures | undefined;

/**
 * Return on participation: counts what happened per municipality and month. EventBridge delivers at
 * least once, so each event is counted once by its id, however often it arrives.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, { counted: boolean }>().handler(
  async (event) => {
    const detailType = event['detail-type'];
    const detail = definitionOf(detailType).detail.parse(event.detail);
    const updates = participationUpdates({ detailType, detail });
    if (updates.length === 0) throw new Error(`participation does not count ${detailType}`);
    const { client, tableName } = table();
    figures ??= new DynamoParticipationFigures(client, tableName);
    return { counted: await figures.applyOnce(CONSUMER, detail.eventId, detail.municipalityId, updates) };
  },
);
