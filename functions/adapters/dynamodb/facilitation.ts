import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#shared/domain/errors.ts';
import {
  type FacilitationRequest,
  FacilitationRequestSchema,
  type Offer,
  OfferSchema,
} from '#shared/domain/facilitation.ts';
import type { CommitOptions, Page, PageRequest } from '#shared/ports.ts';
import { keys } from './keys.ts';
import { queryPage } from './query.ts';
import { commit, type TransactItem } from './transaction.ts';

const STALE = 'Someone else changed this first; reload and try again.';

function requestItem(request: FacilitationRequest) {
  return {
    ...keys.facilitationRequest(request.id),
    ...keys.initiativeFacilitationListing(request, 'REQUEST'),
    ...(request.status === 'open' ? keys.inboxListing(request, 'REQUEST') : {}),
    type: 'FacilitationRequest',
    data: request,
    revision: request.revision,
  };
}

function offerItem(offer: Offer) {
  return {
    ...keys.offer(offer.id),
    ...keys.initiativeFacilitationListing(offer, 'OFFER'),
    ...(offer.status === 'offered' ? keys.inboxListing(offer, 'OFFER') : {}),
    type: 'Offer',
    data: offer,
    revision: offer.revision,
  };
}

/** A Put that succeeds only on top of the revision the decision read: new items must not exist yet. */
function putAtRevision(tableName: string, item: { revision: number }): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: item,
      ...(item.revision === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: 'revision = :expected',
            ExpressionAttributeValues: { ':expected': item.revision - 1 },
          }),
    },
  };
}

export type InboxEntry = { type: 'request'; request: FacilitationRequest } | { type: 'offer'; offer: Offer };

export class DynamoFacilitationRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getRequest(id: string): Promise<FacilitationRequest | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.facilitationRequest(id) }),
    );
    return Item ? FacilitationRequestSchema.parse(Item.data) : undefined;
  }

  async getOffer(id: string): Promise<Offer | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.offer(id) }),
    );
    return Item ? OfferSchema.parse(Item.data) : undefined;
  }

  async listRequests(initiativeId: string, page: PageRequest): Promise<Page<FacilitationRequest>> {
    const result = await queryPage(
      this.client,
      this.tableName,
      keys.initiativeFacilitation(initiativeId, 'REQUEST'),
      page,
    );
    return { ...result, items: result.items.map((item) => FacilitationRequestSchema.parse(item.data)) };
  }

  async listOffers(initiativeId: string, page: PageRequest): Promise<Page<Offer>> {
    const result = await queryPage(
      this.client,
      this.tableName,
      keys.initiativeFacilitation(initiativeId, 'OFFER'),
      page,
    );
    return { ...result, items: result.items.map((item) => OfferSchema.parse(item.data)) };
  }

  async inbox(municipalityId: string, page: PageRequest): Promise<Page<InboxEntry>> {
    const result = await queryPage(
      this.client,
      this.tableName,
      { ...keys.inbox(municipalityId), forward: true },
      page,
    );
    return {
      ...result,
      items: result.items.map(
        (item): InboxEntry =>
          item.type === 'Offer'
            ? { type: 'offer', offer: OfferSchema.parse(item.data) }
            : { type: 'request', request: FacilitationRequestSchema.parse(item.data) },
      ),
    };
  }

  async saveRequest(request: FacilitationRequest, options: CommitOptions): Promise<void> {
    await commit(
      this.client,
      this.tableName,
      [putAtRevision(this.tableName, requestItem(request))],
      options,
      () => new ConflictError(STALE),
    );
  }

  /** Saves an offer, and in the same transaction the request it first answered. */
  async saveOffer(
    offer: Offer,
    answeredRequest: FacilitationRequest | undefined,
    options: CommitOptions,
  ): Promise<void> {
    const items = [putAtRevision(this.tableName, offerItem(offer))];
    if (answeredRequest) items.push(putAtRevision(this.tableName, requestItem(answeredRequest)));
    await commit(this.client, this.tableName, items, options, () => new ConflictError(STALE));
  }
}
