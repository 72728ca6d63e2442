import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../../config.ts';
import { createDocumentClient } from './client.ts';

let shared: { client: DynamoDBDocumentClient; tableName: string } | undefined;

/** The table's client for this process, made once: every handler in a function reuses its connections. */
export function table(): { client: DynamoDBDocumentClient; tableName: string } {
  if (!shared) {
    const settings = tableConfig();
    shared = {
      client: createDocumentClient({
        tableName: settings.TABLE_NAME,
        endpoint: settings.DYNAMODB_ENDPOINT,
        region: settings.AWS_REGION,
      }),
      tableName: settings.TABLE_NAME,
    };
  }
  return shared;
}
