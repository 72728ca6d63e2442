import { busEntryFromStreamRecord, type OutboxStreamRecord } from '../adapters/dynamodb/outbox.ts';

/** What the Pipe's EventBridge target reads from each enriched record (`$.source`, `$.detailType`, `$.time`, `$.detail`). */
export interface EnrichedEvent {
  source: string;
  detailType: string;
  time: string;
  detail: Record<string, unknown>;
}

/**
 * The EventBridge Pipe's enrichment: turns each outbox insert from the table's stream (DynamoDB's typed
 * JSON) into the event it stands for. The local stream relay uses the same mapping.
 */
export const handler = async (records: OutboxStreamRecord[]): Promise<EnrichedEvent[]> =>
  records.map((record) => {
    const entry = busEntryFromStreamRecord(record);
    return {
      source: entry.source,
      detailType: entry.detailType,
      time: (entry.time ?? new Date()).toISOString(),
      detail: entry.detail,
    };
  });
