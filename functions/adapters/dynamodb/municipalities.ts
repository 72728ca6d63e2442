import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type Municipality, MunicipalitySchema } from '#shared/domain/municipality.ts';
import type { MunicipalityRepository } from '#shared/ports.ts';
import { keys } from './keys.ts';

export class DynamoMunicipalityRepository implements MunicipalityRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<Municipality[]> {
    const partition = keys.allMunicipalities();
    const municipalities: Municipality[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: partition.index,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': partition.pk },
          ExclusiveStartKey: startKey,
        }),
      );
      municipalities.push(...(result.Items ?? []).map((item) => MunicipalitySchema.parse(item.data)));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return municipalities;
  }

  async get(id: string): Promise<Municipality | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.municipality(id) }),
    );
    return Item ? MunicipalitySchema.parse(Item.data) : undefined;
  }

  async put(municipality: Municipality): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.municipality(municipality.id),
          ...keys.municipalityListing(municipality.id),
          type: 'Municipality',
          data: municipality,
        },
      }),
    );
  }
}
