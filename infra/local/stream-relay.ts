import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import {
  busEntryFromStreamRecord,
  type OutboxStreamRecord,
  outboxStreamFilter,
} from '#functions/adapters/dynamodb/outbox.ts';
import { matchesPattern } from '#shared/events/pattern.ts';
import type { EventPublisher } from '#shared/ports.ts';
import { localClientConfig } from './dynamodb-local.ts';

/** Where the relay has read up to, per shard: what the Pipe keeps for itself in AWS. */
export interface CheckpointStore {
  load(): Record<string, string>;
  save(positions: Record<string, string>): void;
}

/** A checkpoint file, replaced atomically so that a crash mid-write leaves the previous one. */
export function fileCheckpoints(path: string): CheckpointStore {
  return {
    load: () => {
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
      } catch {
        return {};
      }
    },
    save: (positions) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify(positions));
      renameSync(`${path}.tmp`, path);
    },
  };
}

/** A checkpoint that lives as long as the process: for tests and throwaway hubs. */
export function memoryCheckpoints(): CheckpointStore {
  let positions: Record<string, string> = {};
  return {
    load: () => ({ ...positions }),
    save: (next) => {
      positions = { ...next };
    },
  };
}

export interface StreamRelayOptions {
  endpoint: string;
  tableName: string;
  publisher: EventPublisher;
  checkpoints: CheckpointStore;
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * The local stand-in for the EventBridge Pipe: reads the table's stream, keeps outbox inserts
 * (the Pipe's own filter), publishes them, and only then moves its checkpoint. A crash between the
 * two publishes again on restart: at least once, duplicates carrying the same eventId.
 */
export class StreamRelay {
  private readonly streams: DynamoDBStreamsClient;
  private readonly dynamodb: DynamoDBClient;
  private running = false;
  private loop: Promise<void> | undefined;
  private positions: Record<string, string> = {};
  private readonly finishedShards = new Set<string>();
  private cycleWaiters: (() => void)[] = [];

  constructor(private readonly options: StreamRelayOptions) {
    this.streams = new DynamoDBStreamsClient(localClientConfig(options.endpoint));
    this.dynamodb = new DynamoDBClient(localClientConfig(options.endpoint));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.positions = this.options.checkpoints.load();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    for (const resolve of this.cycleWaiters.splice(0)) resolve();
    this.streams.destroy();
    this.dynamodb.destroy();
  }

  private async run(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 200;
    while (this.running) {
      const waiting = this.cycleWaiters;
      this.cycleWaiters = [];
      try {
        await this.pollOnce();
      } catch (error) {
        this.options.onError?.(error);
      }
      for (const resolve of waiting) resolve();
      if (this.running) await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  /** Resolves once a whole poll that started after this call has finished: all written before is relayed. */
  caughtUp(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.cycleWaiters.push(resolve));
  }

  /** Reads every shard once, from its checkpoint, to its current end. */
  async pollOnce(): Promise<number> {
    const table = await this.dynamodb.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`Table ${this.options.tableName} has no stream`);
    const shards = await this.listShards(streamArn);
    let relayed = 0;
    for (const shard of shards) {
      if (!shard.ShardId || this.finishedShards.has(shard.ShardId)) continue;
      relayed += await this.drainShard(streamArn, shard);
    }
    return relayed;
  }

  private async listShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    // Parents before children, so that a key's records are relayed in order across a shard split.
    return shards.sort((a, b) =>
      (a.SequenceNumberRange?.StartingSequenceNumber ?? '').localeCompare(
        b.SequenceNumberRange?.StartingSequenceNumber ?? '',
        undefined,
        { numeric: true },
      ),
    );
  }

  private async drainShard(streamArn: string, shard: Shard): Promise<number> {
    const shardId = shard.ShardId as string;
    const after = this.positions[shardId];
    let iterator = (
      await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ...(after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      )
    ).ShardIterator;
    let relayed = 0;
    while (iterator) {
      const { Records = [], NextShardIterator } = await this.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }),
      );
      const entries = Records.filter((record) => matchesPattern(outboxStreamFilter, record)).map((record) =>
        busEntryFromStreamRecord(restoreEmptyMaps(record as OutboxStreamRecord)),
      );
      // PutEvents takes ten entries at a time.
      for (let index = 0; index < entries.length; index += 10) {
        await this.options.publisher.publish(entries.slice(index, index + 10));
      }
      relayed += entries.length;
      const last = Records.at(-1)?.dynamodb?.SequenceNumber;
      if (last) {
        this.positions[shardId] = last;
        this.options.checkpoints.save(this.positions);
      }
      if (!NextShardIterator) this.finishedShards.add(shardId);
      if (Records.length === 0) break;
      iterator = NextShardIterator;
    }
    return relayed;
  }
}

type Attribute = Record<string, unknown>;

/**
 * The streams client turns an empty map attribute (`{ "M": {} }` on the wire) into `{}`, which no
 * unmarshaller accepts; the Pipe in AWS reads the wire format and never sees this.
 */
function restoreEmptyMaps<T extends OutboxStreamRecord>(record: T): T {
  const fixValue = (value: Attribute): Attribute => {
    if (Object.keys(value).length === 0) return { M: {} };
    if (value.M) return { M: fixMap(value.M as Record<string, Attribute>) };
    if (Array.isArray(value.L)) return { L: (value.L as Attribute[]).map(fixValue) };
    return value;
  };
  const fixMap = (map: Record<string, Attribute>) =>
    Object.fromEntries(Object.entries(map).map(([name, value]) => [name, fixValue(value)]));
  const image = record.dynamodb?.NewImage;
  if (!image) return record;
  return {
    ...record,
    dynamodb: {
      ...record.dynamodb,
      NewImage: fixMap(image as unknown as Record<string, Attribute>) as never,
    },
  };
}
