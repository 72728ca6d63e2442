import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client.ts';
import { type Hub, type HubOptions, startHub } from '../../infra/local/hub.ts';

export interface TestHub extends Hub {
  endpoint: string;
  tableName: string;
  /** Signs in as a demo user (or mints a resident) through the development issuer. */
  token(user: string, residence?: { municipalityId: string; neighbourhoodId: string }): Promise<string>;
  /** Calls the API like any client would, over HTTP. */
  api(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Headers;
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers of many shapes
    body: any;
  }>;
  /** Waits until every event committed so far has been relayed and delivered (or dead-lettered). */
  settle(): Promise<void>;
  /**
   * Every item in the table once events have settled, sorted: tests compare it before and after a refused
   * request. Rate counters and first-seen records count attempts, refused ones too, so they are left out
   * unless `rateCounters` is set.
   */
  snapshot(options?: { rateCounters?: boolean }): Promise<Record<string, unknown>[]>;
}

/** The whole hub against the run's DynamoDB Local, on a table of its own and a free port. */
export async function startTestHub(
  options: Partial<HubOptions> & { allowDeadLetters?: boolean } = {},
): Promise<TestHub> {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = options.tableName ?? `plein-test-${randomUUID()}`;
  const hub = await startHub({
    endpoint,
    tableName,
    port: 0,
    seed: true,
    bus: { baseDelayMs: 5, maxDelayMs: 50 },
    relayPollIntervalMs: 20,
    // Polls due to open or close are picked up within a tenth of a second, so tests need not wait long.
    scheduler: { intervalMs: 100 },
    // Deliveries due to municipal channels likewise.
    channels: { dispatchIntervalMs: 50 },
    // Every request comes from 127.0.0.1 and tests play hundreds of residents, each new: budgets that
    // no other test reaches (tests/integration/rate-limits.test.ts sets tight ones), no cool-down.
    rateLimits: {
      perUser: { limit: 100_000, windowSeconds: 60 },
      perSourceIp: { limit: 1_000_000, windowSeconds: 60 },
      coolDown: { seconds: 0 },
    },
    ...options,
  });
  const client = createDocumentClient({ tableName, endpoint });
  const api: TestHub['api'] = async (method, path, { token, body, headers = {} } = {}) => {
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  async function settle() {
    await hub.relay.caughtUp();
    await hub.bus.idle();
    // Deliveries to municipal channels that are due now are tried; their results may be events too.
    await hub.dispatcher.drain();
    await hub.relay.caughtUp();
    await hub.bus.idle();
    // A consumer that keeps failing is a bug the tests must see, not a quiet dead letter.
    if (hub.bus.deadLetters.length > 0 && !options.allowDeadLetters) {
      throw new Error(
        `dead letters: ${hub.bus.deadLetters.map((letter) => `${letter.ruleName}: ${letter.lastError}`).join('; ')}`,
      );
    }
  }

  return {
    ...hub,
    endpoint,
    tableName,
    api,
    async token(user, residence) {
      const response = await api('POST', '/dev/token', { body: { user, ...residence } });
      if (response.status !== 200) throw new Error(`no token for ${user}: ${JSON.stringify(response.body)}`);
      return response.body.token as string;
    },
    settle,
    async snapshot({ rateCounters = false } = {}) {
      await settle();
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items
        .filter((item) => rateCounters || !/^(RATE|ACCOUNT)#/.test(String(item.pk)))
        .sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
    },
    async stop() {
      await hub.stop();
      client.destroy();
    },
  };
}
