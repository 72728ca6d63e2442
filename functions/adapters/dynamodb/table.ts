/**
 * The one table, described once as plain data: the CDK stack builds the real table from it and
 * the local runtime and tests create DynamoDB Local's table from it, so the two cannot drift.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Sparse indexes: an item carries an index's keys only while it belongs in that list. */
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
  timeToLiveAttribute: 'ttl',
  /** The outbox is read off the stream: new images are all the relay and the Pipe need. */
  streamViewType: 'NEW_IMAGE',
} as const;

export type IndexName = (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'];
