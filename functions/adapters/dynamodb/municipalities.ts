import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Municipality, MunicipalitySchema } from '#shared/domain/municipality.ts';
import type { MunicipalityRepository } from '#shared/ports.ts';
import { keys } from './keys.ts';
import { queryAll } from './query.ts';

export class DynamoMunicipalityRepository implements MunicipalityRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<Municipality[]> {
    const items = await queryAll(this.client, this.tableName, keys.allMunicipalities());
    return items.map((item) => MunicipalitySchema.parse(item.data));
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
