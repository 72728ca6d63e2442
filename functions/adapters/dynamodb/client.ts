import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface TableConnection {
  tableName: string;
  endpoint?: string | undefined;
  region?: string | undefined;
}

/** A document client for the table; the endpoint is set only for DynamoDB Local. */
export function createDocumentClient(connection: TableConnection): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(connection.endpoint
      ? {
          endpoint: connection.endpoint,
          // DynamoDB Local accepts any credentials; these are not secrets.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    region: connection.region ?? process.env.AWS_REGION ?? 'eu-west-1',
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
