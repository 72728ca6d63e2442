import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { InitiativeArchived, InitiativeRegistered } from '#shared/domain/initiative.ts';
import type { EventDefinition } from '#shared/events/catalog.ts';
import { DynamoParticipationFigures } from '../adapters/dynamodb/participation.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';

const CONSUMER = 'participation';
const counterOf: Record<string, { definition: EventDefinition; counter: string }> = {
  [InitiativeRegistered.name]: { definition: InitiativeRegistered, counter: 'initiativesRegistered' },
  [InitiativeArchived.name]: { definition: InitiativeArchived, counter: 'initiativesArchived' },
};

let figures: DynamoParticipationFigures | undefined;

/**
 * Return on participation: counts what happened per municipality and month. EventBridge delivers at
 * least once, so each event is counted once by its id, however often it arrives.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, { counted: boolean }>().handler(
  async (event) => {
    const entry = counterOf[event['detail-type']];
    if (!entry) throw new Error(`participation does not handle ${event['detail-type']}`);
    const detail = entry.definition.detail.parse(event.detail);
    const { client, tableName } = table();
    figures ??= new DynamoParticipationFigures(client, tableName);
    const counted = await figures.addOnce(
      CONSUMER,
      detail.eventId,
      detail.municipalityId,
      detail.occurredAt.slice(0, 7),
      {
        [entry.counter]: 1,
      },
    );
    return { counted };
  },
);
