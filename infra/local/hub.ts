import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { fileBallotKey } from '#functions/adapters/ballot-key.ts';
import { createDocumentClient } from '#functions/adapters/dynamodb/client.ts';
import { DynamoDeliveries } from '#functions/adapters/dynamodb/deliveries.ts';
import { DynamoInitiativeRepository } from '#functions/adapters/dynamodb/initiatives.ts';
import { DynamoMunicipalityRepository } from '#functions/adapters/dynamodb/municipalities.ts';
import { DynamoPolls } from '#functions/adapters/dynamodb/polls.ts';
import { DynamoRateLimiter } from '#functions/adapters/dynamodb/rate-limits.ts';
import { useLocalIdentityAdmin } from '#functions/adapters/identity.ts';
import { routeGroups } from '#functions/http/api.ts';
import { router } from '#functions/http/route.ts';
import type { RateLimitPolicyInput } from '#shared/domain/rate-limit.ts';
import { rules } from '#shared/events/rules.ts';
import { createDevIdentity, type DevIdentity, demoUsers } from './dev-identity.ts';
import { LocalDispatcher } from './dispatcher.ts';
import { ensureTable } from './dynamodb-local.ts';
import { type LocalBusOptions, LocalEventBus } from './event-bus.ts';
import { createRequestListener, type SiteHandler } from './http-server.ts';
import { lambdaContext, loadHandler } from './lambda.ts';
import { readLocalMail } from './mail.ts';
import { LocalScheduler } from './scheduler.ts';
import { seedDemoData } from './seed.ts';
import { type CheckpointStore, fileCheckpoints, memoryCheckpoints, StreamRelay } from './stream-relay.ts';

export interface HubOptions {
  /** DynamoDB Local's endpoint; the hub does not start it. */
  endpoint: string;
  tableName: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /**
   * Where the relay's checkpoint, the issuer's key and the bus's archive and dead letters live; in memory
   * without it.
   */
  dataDir?: string;
  seed?: boolean;
  site?: SiteHandler;
  bus?: LocalBusOptions;
  checkpoints?: CheckpointStore;
  /** How often the relay reads the stream when idle; tests read it often. */
  relayPollIntervalMs?: number;
  log?: (line: string) => void;
  /** The local stand-in for EventBridge Scheduler: how often it looks for polls due to open or close. */
  scheduler?: { intervalMs?: number };
  /**
   * Municipal channels: how often the local dispatcher looks for due deliveries, and (for tests) the
   * retry schedule and how long a channel fails before it is marked failing. Read from the environment
   * by the handlers, once per process.
   */
  channels?: { dispatchIntervalMs?: number; retryScheduleMs?: number[]; failingAfterMs?: number };
  /**
   * Write budgets per account and source address, over the defaults of `shared/domain/rate-limit.ts`
   * (as `RATE_LIMITS` does in AWS). Everything local arrives from one loopback address, so tests that
   * play many residents set a generous per-address budget.
   */
  rateLimits?: RateLimitPolicyInput;
}

export interface Hub {
  url: string;
  bus: LocalEventBus;
  relay: StreamRelay;
  identity: DevIdentity;
  server: Server;
  scheduler: LocalScheduler;
  dispatcher: LocalDispatcher;
  /** Where local channels write: `mail/` (the email outbox) and `eventbus.jsonl` (forwards to buses). */
  channelDir: string;
  stop(): Promise<void>;
}

/**
 * The whole hub in one process, as `npm start` and the integration tests run it: the table, the
 * development issuer, the API handlers behind a local HTTP front, the stream relay and the local bus
 * with the catalog's rules targeting the same handler modules Lambda runs.
 */
export async function startHub(options: HubOptions): Promise<Hub> {
  await ensureTable(options.endpoint, options.tableName);
  const host = options.host ?? '127.0.0.1';
  // Listening first lets the issuer's URL carry the real port; requests are taken once all is ready.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port, host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;

  // Handlers read their configuration from the environment, exactly as in Lambda.
  Object.assign(process.env, {
    TABLE_NAME: options.tableName,
    DYNAMODB_ENDPOINT: options.endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'eu-west-1',
    PLEIN_MODE: 'local',
    JWT_ISSUER: url,
    JWT_AUDIENCE: 'plein-local',
    JWKS_URL: `${url}/.well-known/jwks.json`,
    // The site's pages call the API over HTTP, as they do in AWS.
    PLEIN_API_URL: url,
  });
  // The ballot key: kept under .data/ for `npm start` (so ballots stay findable across restarts), a
  // fresh random one per hub otherwise. The handlers read the same file, as they read SSM in AWS.
  const ballotKeyDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'plein-ballot-key-'));
  const ballotKeyFile = join(ballotKeyDir, 'ballot-key');
  process.env.BALLOT_KEY_FILE = ballotKeyFile;
  // Channels: the key that seals webhook secrets, the mail outbox and the bus log, under .data/ or a temp dir.
  const channelDir = options.dataDir
    ? join(options.dataDir, 'channels')
    : mkdtempSync(join(tmpdir(), 'plein-channels-'));
  Object.assign(process.env, {
    LOCAL_CHANNEL_DIR: channelDir,
    CHANNEL_SECRET_KEY_FILE: join(channelDir, 'channel-secret-key'),
    ...(options.channels?.retryScheduleMs
      ? { CHANNEL_RETRY_SCHEDULE_MS: options.channels.retryScheduleMs.join(',') }
      : {}),
    ...(options.channels?.failingAfterMs !== undefined
      ? { CHANNEL_FAILING_AFTER_MS: String(options.channels.failingAfterMs) }
      : {}),
  });
  if (options.rateLimits) process.env.RATE_LIMITS = JSON.stringify(options.rateLimits);

  const identity = await createDevIdentity({
    issuer: url,
    audience: 'plein-local',
    ...(options.dataDir ? { keyFile: join(options.dataDir, 'dev-issuer-key.pem') } : {}),
  });
  // DELETE /api/me deletes the account here, as the `me` function calls Cognito in AWS.
  useLocalIdentityAdmin(identity);
  const client = createDocumentClient({ tableName: options.tableName, endpoint: options.endpoint });
  const municipalities = new DynamoMunicipalityRepository(client, options.tableName);
  const initiatives = new DynamoInitiativeRepository(client, options.tableName);
  const polls = new DynamoPolls(client, options.tableName);

  // The archive and the dead letters live under the data dir, as the checkpoint does; in memory without it.
  const bus = new LocalEventBus({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...options.bus });
  for (const rule of rules) {
    const handler = await loadHandler(rule.target.handler);
    bus.addRule({
      name: rule.name,
      eventPattern: rule.eventPattern,
      targetId: rule.target.id,
      retry: rule.target.retry,
      invoke: (event) => handler(event, lambdaContext(`plein-${rule.target.id}`)),
    });
  }
  const relay = new StreamRelay({
    endpoint: options.endpoint,
    tableName: options.tableName,
    publisher: bus,
    checkpoints:
      options.checkpoints ??
      (options.dataDir
        ? fileCheckpoints(join(options.dataDir, 'relay-checkpoint.json'))
        : memoryCheckpoints()),
    onError: (error) => options.log?.(`stream relay: ${(error as Error).message}`),
    ...(options.relayPollIntervalMs ? { pollIntervalMs: options.relayPollIntervalMs } : {}),
  });

  const groups = await Promise.all(
    routeGroups.map(async (group) => {
      const { routes } = await group.load();
      return { name: group.name, routes, handler: router(routes) };
    }),
  );
  const listener = createRequestListener({
    groups,
    identity,
    municipalities,
    bus,
    readMail: () => readLocalMail(channelDir).reverse(),
    ...(options.site ? { site: options.site } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  server.on('request', listener);

  if (options.seed) {
    await seedDemoData({
      municipalities,
      initiatives,
      polls: { repository: polls, ballotKeys: fileBallotKey(ballotKeyFile) },
    });
    // The demo people have been around as long as their demo initiatives: no new-account cool-down.
    const limiter = new DynamoRateLimiter(client, options.tableName);
    const monthAgo = new Date(Date.now() - 30 * 86_400_000);
    await Promise.all(demoUsers.map((user) => limiter.firstSeen(user.id, monthAgo)));
  }
  relay.start();
  // Polls open and close on time: EventBridge Scheduler invokes this handler in AWS, this loop locally.
  const scheduleHandler = await loadHandler('functions/consumers/poll-schedule.handler');
  const scheduler = new LocalScheduler({
    due: (now, limit) => polls.due(now, limit),
    invoke: (input) => scheduleHandler(input, lambdaContext('plein-poll-schedule')),
    intervalMs: options.scheduler?.intervalMs ?? 1000,
    onError: (error, input) =>
      options.log?.(
        `scheduler: ${input ? `${input.action} ${input.pollId}: ` : ''}${(error as Error).message}`,
      ),
  });
  scheduler.start();
  // Deliveries to municipal channels: the channel sweep, SQS and the dispatch Lambdas in AWS, this loop locally.
  const deliveries = new DynamoDeliveries(client, options.tableName);
  const dispatchHandler = await loadHandler('functions/consumers/channel-dispatch.handler');
  const dispatcher = new LocalDispatcher({
    claimDue: (kind, now, limit, leaseMs) => deliveries.claimDue(kind, now, limit, leaseMs),
    invoke: async (event) =>
      (await dispatchHandler(event, lambdaContext('plein-channel-dispatch'))) as SQSBatchResponse,
    intervalMs: options.channels?.dispatchIntervalMs ?? 1000,
    onError: (error) => options.log?.(`dispatcher: ${(error as Error).message}`),
  });
  dispatcher.start();

  return {
    url,
    bus,
    relay,
    identity,
    server,
    scheduler,
    dispatcher,
    channelDir,
    async stop() {
      await scheduler.stop();
      await dispatcher.stop();
      await relay.stop();
      await bus.idle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      client.destroy();
      if (!options.dataDir) rmSync(ballotKeyDir, { recursive: true, force: true });
      if (!options.dataDir) rmSync(channelDir, { recursive: true, force: true });
    },
  };
}
